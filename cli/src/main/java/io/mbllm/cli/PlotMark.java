package io.mbllm.cli;

import java.util.List;

/**
 * What a chart is drawn from, in pixel coordinates (origin top left): the same list of marks is written as
 * SVG ({@link PlotSvg}) and painted into a PNG ({@link PlotPng}), so both files show the same chart.
 */
sealed interface PlotMark {
    /** Colors used, as {@code #rrggbb}: text and axes, grid lines, the data (points, curves), the reference. */
    String INK = "#222222", GRID = "#dddddd", DATA = "#1f77b4", REFERENCE = "#d62728";

    /** A straight line. */
    record Line(double x1, double y1, double x2, double y2, String color, double width) implements PlotMark {}

    /** Text; {@code anchor} is where (x, y) sits on the baseline; {@code vertical} turns it 90° counter-clockwise. */
    record Text(double x, double y, String text, double size, Anchor anchor, boolean vertical, String color) implements PlotMark {}

    /** A round point, filled or hollow. */
    record Dot(double x, double y, double radius, String color, boolean filled) implements PlotMark {}

    /** A curve: straight segments through {@code points} in order, with round joins. */
    record Polyline(List<Point> points, String color, double width) implements PlotMark {
        public Polyline {
            points = List.copyOf(points);
        }

        /** One vertex. */
        record Point(double x, double y) {}
    }

    /** Horizontal placement of a text. */
    enum Anchor {
        START("start"), MIDDLE("middle"), END("end");

        final String svg;

        Anchor(String svg) {
            this.svg = svg;
        }
    }
}
