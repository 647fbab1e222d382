package io.mesh4j.benchmarks.scenarios;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the scenarios' charts as plain SVG, with no library: grouped horizontal bars (a value per contender and
 * series, on a linear or logarithmic axis) and lines (series of points over time).
 */
final class SvgChart {

    private static final String[] COLOURS = {"#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377",
        "#bbbbbb", "#000000"};
    private static final int WIDTH = 820;
    private static final int LEFT = 250;
    private static final int RIGHT = 30;
    private static final int BAR = 12;
    private static final int LEGEND_ROW = 16;

    private SvgChart() {
    }

    /**
     * Grouped horizontal bars: one group per category, one bar per series. Values of zero or below are drawn as
     * empty; with {@code logarithmic} the axis runs over whole powers of ten around the values.
     */
    static String bars(String title, String unit, List<String> categories, List<String> series,
            double[][] values, boolean logarithmic) {
        double max = 0;
        double min = Double.MAX_VALUE;
        for (double[] row : values) {
            for (double value : row) {
                if (value > 0) {
                    max = Math.max(max, value);
                    min = Math.min(min, value);
                }
            }
        }
        if (max == 0) {
            max = 1;
            min = 1;
        }
        Axis axis = logarithmic ? Axis.logarithmic(min, max) : Axis.linear(max);
        int group = series.size() * BAR + 12;
        int top = 44 + legendRows(series, LEFT) * LEGEND_ROW;
        int plotHeight = categories.size() * group;
        int height = top + plotHeight + 50;
        int plotWidth = WIDTH - LEFT - RIGHT;
        StringBuilder svg = open(height, title);
        legend(svg, series, LEFT, 38);
        for (double tick : axis.ticks) {
            double x = LEFT + axis.position(tick) * plotWidth;
            svg.append(line(x, top, x, top + plotHeight, "#dddddd"));
            svg.append(text(x, top + plotHeight + 16, label(tick), "middle", 11));
        }
        svg.append(text(LEFT + plotWidth / 2.0, top + plotHeight + 36, unit, "middle", 12));
        for (int c = 0; c < categories.size(); c++) {
            double y = top + c * group + 6;
            svg.append(text(LEFT - 8, y + series.size() * BAR / 2.0 + 4, categories.get(c), "end", 12));
            for (int s = 0; s < series.size(); s++) {
                double value = values[c][s];
                double length = value > 0 ? Math.max(1, axis.position(value) * plotWidth) : 0;
                svg.append(String.format(Locale.ROOT,
                        "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s %s: %s</title>"
                                + "</rect>%n",
                        LEFT, y + s * BAR, length, BAR - 2, COLOURS[s % COLOURS.length], escape(categories.get(c)),
                        escape(series.get(s)), label(value)));
            }
        }
        svg.append(line(LEFT, top, LEFT, top + plotHeight, "#000000"));
        return svg.append("</svg>\n").toString();
    }

    /** Lines over a shared x axis: each series maps to its points, {@code {x, y}} pairs in x order. */
    static String lines(String title, String xLabel, String yLabel, Map<String, List<double[]>> series) {
        double maxX = 0;
        double maxY = 0;
        for (List<double[]> points : series.values()) {
            for (double[] point : points) {
                maxX = Math.max(maxX, point[0]);
                maxY = Math.max(maxY, point[1]);
            }
        }
        Axis xAxis = Axis.linear(maxX == 0 ? 1 : maxX);
        Axis yAxis = Axis.linear(maxY == 0 ? 1 : maxY);
        int left = 70;
        int top = 44 + legendRows(new ArrayList<>(series.keySet()), left) * LEGEND_ROW;
        int plotWidth = WIDTH - left - RIGHT;
        int plotHeight = 300;
        StringBuilder svg = open(top + plotHeight + 50, title);
        legend(svg, new ArrayList<>(series.keySet()), left, 38);
        for (double tick : xAxis.ticks) {
            double x = left + xAxis.position(tick) * plotWidth;
            svg.append(line(x, top, x, top + plotHeight, "#eeeeee"));
            svg.append(text(x, top + plotHeight + 16, label(tick), "middle", 11));
        }
        for (double tick : yAxis.ticks) {
            double y = top + plotHeight - yAxis.position(tick) * plotHeight;
            svg.append(line(left, y, left + plotWidth, y, "#eeeeee"));
            svg.append(text(left - 6, y + 4, label(tick), "end", 11));
        }
        svg.append(text(left + plotWidth / 2.0, top + plotHeight + 36, xLabel, "middle", 12));
        svg.append(String.format(Locale.ROOT,
                "<text x=\"16\" y=\"%d\" font-size=\"12\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">%s"
                        + "</text>%n", top + plotHeight / 2, top + plotHeight / 2, escape(yLabel)));
        int s = 0;
        for (List<double[]> points : series.values()) {
            StringBuilder path = new StringBuilder();
            for (double[] point : points) {
                path.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + xAxis.position(point[0]) * plotWidth,
                        top + plotHeight - yAxis.position(point[1]) * plotHeight));
            }
            svg.append(String.format(Locale.ROOT,
                    "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"/>%n",
                    path.toString().trim(), COLOURS[s++ % COLOURS.length]));
        }
        svg.append(line(left, top + plotHeight, left + plotWidth, top + plotHeight, "#000000"));
        svg.append(line(left, top, left, top + plotHeight, "#000000"));
        return svg.append("</svg>\n").toString();
    }

    private static StringBuilder open(int height, String title) {
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">%n", WIDTH, height, WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", WIDTH, height));
        svg.append(text(WIDTH / 2.0, 22, title, "middle", 15));
        return svg;
    }

    /** Draws the legend from {@code left} at {@code y}, in rows wrapped at the chart's width. */
    private static void legend(StringBuilder svg, List<String> series, int left, int y) {
        int[][] places = legendPlaces(series, left);
        for (int s = 0; s < series.size(); s++) {
            int x = places[s][0];
            int rowY = y + places[s][1] * LEGEND_ROW;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
                    x, rowY - 10, COLOURS[s % COLOURS.length]));
            svg.append(text(x + 16, rowY, series.get(s), "start", 12));
        }
    }

    /** How many rows the legend of {@code series} takes from {@code left}. */
    private static int legendRows(List<String> series, int left) {
        int[][] places = legendPlaces(series, left);
        return places.length == 0 ? 1 : places[places.length - 1][1] + 1;
    }

    /** Where each legend entry goes: its x and its row, wrapping at the chart's width. */
    private static int[][] legendPlaces(List<String> series, int left) {
        int[][] places = new int[series.size()][];
        int x = left;
        int row = 0;
        for (int s = 0; s < series.size(); s++) {
            int width = 24 + 7 * series.get(s).length();
            if (x > left && x + width > WIDTH - RIGHT) {
                x = left;
                row++;
            }
            places[s] = new int[] {x, row};
            x += width;
        }
        return places;
    }

    private static String line(double x1, double y1, double x2, double y2, String colour) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                x1, y1, x2, y2, colour);
    }

    private static String text(double x, double y, String text, String anchor, int size) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\">%s</text>%n",
                x, y, size, anchor, escape(text));
    }

    private static String label(double value) {
        if (value >= 100 || value == Math.rint(value)) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        return value >= 1 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%.2g", value);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Where a value falls on an axis, from 0 to 1, and the values to mark. */
    private static final class Axis {
        private final boolean logarithmic;
        private final double low;
        private final double high;
        private final List<Double> ticks = new ArrayList<>();

        private Axis(boolean logarithmic, double low, double high) {
            this.logarithmic = logarithmic;
            this.low = low;
            this.high = high;
        }

        static Axis linear(double max) {
            double step = Math.pow(10, Math.floor(Math.log10(max)));
            if (max / step < 2) {
                step /= 5;
            } else if (max / step < 5) {
                step /= 2;
            }
            double high = Math.ceil(max / step) * step;
            Axis axis = new Axis(false, 0, high);
            for (double tick = 0; tick <= high + step / 2; tick += step) {
                axis.ticks.add(tick);
            }
            return axis;
        }

        static Axis logarithmic(double min, double max) {
            double low = Math.pow(10, Math.floor(Math.log10(min)));
            double high = Math.pow(10, Math.ceil(Math.log10(max)));
            if (high <= low) {
                high = low * 10;
            }
            Axis axis = new Axis(true, low, high);
            for (double tick = low; tick <= high * 1.001; tick *= 10) {
                axis.ticks.add(tick);
            }
            return axis;
        }

        double position(double value) {
            if (logarithmic) {
                return Math.max(0, Math.log10(value / low) / Math.log10(high / low));
            }
            return value / high;
        }
    }
}
