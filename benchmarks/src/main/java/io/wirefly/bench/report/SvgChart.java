package io.wirefly.bench.report;

import java.util.List;
import java.util.Locale;

/**
 * Grouped bar charts as plain SVG text, drawn from the harness's own results (no dependency). Categories run
 * along the x axis (sizes, or servers); each series is one bar per category (implementations). A value that is
 * NaN (not measured) leaves a gap. A log scale suits values that span decades (ns/op from 16 B to 1 MiB).
 *
 * <pre>{@code
 * String svg = SvgChart.bars("Echo, 100 connections x 125 B", "msg/s", List.of("wirefly", "netty"),
 *         List.of("median"), new double[][] {{52_000, 41_000}}, false);
 * }</pre>
 */
public final class SvgChart {
    private static final String[] COLORS = {
        "#d9480f", "#1971c2", "#2f9e44", "#7048e8", "#e8590c", "#0c8599", "#868e96", "#c2255c"
    };
    private static final int WIDTH = 760;
    private static final int HEIGHT = 380;
    private static final int LEFT = 80;
    private static final int RIGHT = 20;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;

    private SvgChart() {
    }

    /**
     * @param title the chart's title
     * @param unit the y axis label
     * @param categories labels along the x axis
     * @param series the legend, one entry per row of {@code values}
     * @param values {@code values[series][category]}; NaN or non-positive values (log scale) are not drawn
     * @param log whether the y axis is logarithmic
     * @return the SVG document
     */
    public static String bars(String title, String unit, List<String> categories, List<String> series,
            double[][] values, boolean log) {
        double max = 0;
        double min = Double.MAX_VALUE;
        for (double[] row : values) {
            for (double v : row) {
                if (Double.isFinite(v) && v > 0) {
                    max = Math.max(max, v);
                    min = Math.min(min, v);
                }
            }
        }
        if (max == 0) {
            max = 1;
            min = 1;
        }
        Scale scale = log ? new Scale(Math.pow(10, Math.floor(Math.log10(min))),
                Math.pow(10, Math.ceil(Math.log10(max * 1.0001))), true)
                : new Scale(0, niceCeiling(max), false);

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH,
                HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(svg, WIDTH / 2.0, 22, "middle", 15, title);
        int plotHeight = HEIGHT - TOP - BOTTOM;
        int plotWidth = WIDTH - LEFT - RIGHT;

        // Grid lines and y labels.
        for (double tick : scale.ticks()) {
            double y = TOP + plotHeight * (1 - scale.fraction(tick));
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\""
                    + " stroke=\"#dee2e6\"/>%n", LEFT, y, WIDTH - RIGHT, y));
            text(svg, LEFT - 6, y + 4, "end", 11, format(tick));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\""
                + " text-anchor=\"middle\">%s</text>%n", TOP + plotHeight / 2, TOP + plotHeight / 2, escape(unit)));

        // Bars.
        double group = (double) plotWidth / Math.max(1, categories.size());
        double bar = group * 0.8 / Math.max(1, series.size());
        for (int c = 0; c < categories.size(); c++) {
            double x0 = LEFT + group * c + group * 0.1;
            for (int s = 0; s < series.size(); s++) {
                double v = values[s][c];
                if (!Double.isFinite(v) || (log && v <= 0)) {
                    continue;
                }
                double h = plotHeight * scale.fraction(v);
                double x = x0 + bar * s;
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
                        + " fill=\"%s\"><title>%s, %s: %s %s</title></rect>%n", x, TOP + plotHeight - h,
                        Math.max(1, bar - 2), h, COLORS[s % COLORS.length], escape(series.get(s)),
                        escape(categories.get(c)), format(v), escape(unit)));
            }
            text(svg, LEFT + group * (c + 0.5), HEIGHT - BOTTOM + 18, "middle", 12, categories.get(c));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#495057\"/>%n",
                LEFT, TOP + plotHeight, WIDTH - RIGHT, TOP + plotHeight));

        // Legend.
        double lx = LEFT;
        for (int s = 0; s < series.size(); s++) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"12\" height=\"12\""
                    + " fill=\"%s\"/>%n", lx, HEIGHT - 30, COLORS[s % COLORS.length]));
            text(svg, lx + 16, HEIGHT - 20, "start", 12, series.get(s));
            lx += 28 + 7.5 * series.get(s).length();
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, int size, String s) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s"
                + "</text>%n", x, y, anchor, size, escape(s)));
    }

    private static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (step * magnitude >= v) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    static String format(double v) {
        double a = Math.abs(v);
        if (a >= 1e9) {
            return trim(v / 1e9) + "G";
        }
        if (a >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (a >= 1e4) {
            return trim(v / 1e3) + "k";
        }
        if (a >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return a >= 1 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Maps values to [0, 1] of the plot height. */
    private record Scale(double low, double high, boolean log) {
        double fraction(double v) {
            if (log) {
                return (Math.log10(v) - Math.log10(low)) / (Math.log10(high) - Math.log10(low));
            }
            return (v - low) / (high - low);
        }

        double[] ticks() {
            if (log) {
                int from = (int) Math.round(Math.log10(low));
                int to = (int) Math.round(Math.log10(high));
                double[] ticks = new double[to - from + 1];
                for (int i = 0; i < ticks.length; i++) {
                    ticks[i] = Math.pow(10, from + i);
                }
                return ticks;
            }
            double[] ticks = new double[6];
            for (int i = 0; i < ticks.length; i++) {
                ticks[i] = low + (high - low) * i / 5;
            }
            return ticks;
        }
    }
}
