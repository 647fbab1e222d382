package io.mesh4j.benchmarks.scenarios;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one scenario found: Markdown text with its tables and targets, and SVG charts. Written as {@code <id>.md}
 * and {@code <id>-<chart>.svg}; the Markdown links the charts.
 */
final class Report {

    private final String id;
    private final StringBuilder markdown = new StringBuilder();
    private final Map<String, String> charts = new LinkedHashMap<>();

    Report(String id, String title) {
        this.id = id;
        markdown.append("## ").append(title).append("\n\n");
    }

    String id() {
        return id;
    }

    Report text(String paragraph) {
        blankLine();
        markdown.append(paragraph).append("\n\n");
        return this;
    }

    Report table(Table table) {
        blankLine();
        markdown.append(table).append('\n');
        return this;
    }

    /** Ends a list of targets before what follows, so Markdown does not take it into the list's last item. */
    private void blankLine() {
        if (!markdown.toString().endsWith("\n\n")) {
            markdown.append('\n');
        }
    }

    /** Records whether a target holds, with the figures it was judged on. */
    Report target(String target, boolean holds, String figures) {
        markdown.append("- ").append(holds ? "**holds**" : "**does not hold**").append(": ").append(target)
                .append(" (").append(figures).append(")\n");
        return this;
    }

    /** Records that the run cannot tell whether a target holds: what it would be judged on is within the noise. */
    Report unresolved(String target, String figures) {
        markdown.append("- **not resolved**: ").append(target).append(" (").append(figures).append(")\n");
        return this;
    }

    Report chart(String name, String svg) {
        charts.put(id + '-' + name + ".svg", svg);
        return this;
    }

    String markdown() {
        StringBuilder text = new StringBuilder(markdown);
        if (!charts.isEmpty() && !markdown.toString().endsWith("\n\n")) {
            text.append('\n');
        }
        charts.keySet().forEach(file -> text.append("![").append(file).append("](").append(file).append(")\n\n"));
        return text.toString();
    }

    void write(Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve(id + ".md"), markdown(), StandardCharsets.UTF_8);
        for (Map.Entry<String, String> chart : charts.entrySet()) {
            Files.writeString(directory.resolve(chart.getKey()), chart.getValue(), StandardCharsets.UTF_8);
        }
    }
}
