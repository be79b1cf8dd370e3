package io.wirefly.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class SvgChartTest {
    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void drawsOneBarPerFiniteValueAsWellFormedSvg() throws Exception {
        String svg = SvgChart.bars("Echo <100 conns> & more", "msg/s", List.of("wirefly", "netty", "jetty"),
                List.of("median", "p90"), new double[][] {{50_000, 40_000, Double.NaN}, {45_000, 38_000, 1}},
                false);
        Document doc = parse(svg);
        assertEquals("svg", doc.getDocumentElement().getTagName());
        // 1 background + 5 bars + 2 legend swatches.
        assertEquals(8, doc.getElementsByTagName("rect").getLength());
        assertTrue(svg.contains("Echo &lt;100 conns&gt; &amp; more"));
    }

    @Test
    void logScaleSkipsNonPositiveValuesAndLabelsDecades() throws Exception {
        String svg = SvgChart.bars("Masking", "GB/s", List.of("16 B", "1 MiB"), List.of("wirefly"),
                new double[][] {{0.5, 80}}, true);
        Document doc = parse(svg);
        assertEquals(1 + 2 + 1, doc.getElementsByTagName("rect").getLength());
        assertTrue(svg.contains(">0.100<") && svg.contains(">100<"), svg);
        String none = SvgChart.bars("Masking", "GB/s", List.of("16 B"), List.of("wirefly"),
                new double[][] {{0}}, true);
        assertEquals(1 + 1, parse(none).getElementsByTagName("rect").getLength());
    }

    @Test
    void formatsLargeAndSmallNumbers() {
        assertEquals("1.5M", SvgChart.format(1_500_000));
        assertEquals("42k", SvgChart.format(42_000));
        assertEquals("250", SvgChart.format(250));
        assertEquals("2.50", SvgChart.format(2.5));
        assertEquals("0.125", SvgChart.format(0.125));
    }
}
