package io.wirefly.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A Markdown table built row by row.
 *
 * <pre>{@code
 * String md = new Table("server", "msg/s").row("netty", "41,234").markdown();
 * }</pre>
 */
public final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    /**
     * @param header the column titles
     */
    public Table(String... header) {
        this.header = List.of(header);
    }

    /**
     * @param cells one cell per column (missing cells are left empty)
     * @return this table
     */
    public Table row(String... cells) {
        rows.add(List.of(cells));
        return this;
    }

    /** @return the table as GitHub-flavoured Markdown, first column left-aligned and the others right-aligned */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("| ").append(String.join(" | ", header)).append(" |\n|");
        for (int i = 0; i < header.size(); i++) {
            md.append(i == 0 ? "---|" : "---:|");
        }
        md.append('\n');
        for (List<String> row : rows) {
            md.append("| ");
            for (int i = 0; i < header.size(); i++) {
                md.append(i < row.size() ? row.get(i) : "").append(i + 1 < header.size() ? " | " : " |\n");
            }
        }
        return md.toString();
    }
}
