package dev.changesetsyncer.cli;

import dev.changesetsyncer.secrets.SafeText;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table with aligned columns, for terminal output. Cells come from the database, where
 * hosts' text ends up: control characters are shown escaped, never sent to the terminal raw.
 */
final class TextTable {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    TextTable(String... headers) {
        this.headers = List.of(headers);
    }

    void add(Object... cells) {
        List<String> row = new ArrayList<>();
        for (Object cell : cells) {
            row.add(cell == null ? "" : SafeText.of(cell.toString()));
        }
        rows.add(row);
    }

    void print(PrintStream out) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        printRow(out, headers, widths);
        StringBuilder rule = new StringBuilder();
        for (int width : widths) {
            rule.append("-".repeat(width)).append("  ");
        }
        out.println(rule.toString().stripTrailing());
        rows.forEach(row -> printRow(out, row, widths));
    }

    private static void printRow(PrintStream out, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            line.append(String.format("%-" + widths[i] + "s  ", cells.get(i)));
        }
        out.println(line.toString().stripTrailing());
    }
}
