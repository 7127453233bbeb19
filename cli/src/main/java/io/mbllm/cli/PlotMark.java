package io.mbllm.cli;

/**
 * What a chart is drawn from, in pixel coordinates (origin top left): the same list of marks is written as
 * SVG ({@link PlotSvg}) and painted into a PNG ({@link PlotPng}), so both files show the same chart.
 */
sealed interface PlotMark {
    /** Colors used, as {@code #rrggbb}. */
    String INK = "#222222", GRID = "#dddddd", POINT = "#1f77b4", REFERENCE = "#d62728";

    /** A straight line. */
    record Line(double x1, double y1, double x2, double y2, String color, double width) implements PlotMark {}

    /** Text; {@code anchor} is where (x, y) sits on the baseline; {@code vertical} turns it 90° counter-clockwise. */
    record Text(double x, double y, String text, double size, Anchor anchor, boolean vertical, String color) implements PlotMark {}

    /** A round point, filled or hollow. */
    record Dot(double x, double y, double radius, String color, boolean filled) implements PlotMark {}

    /** Horizontal placement of a text. */
    enum Anchor {
        START("start"), MIDDLE("middle"), END("end");

        final String svg;

        Anchor(String svg) {
            this.svg = svg;
        }
    }
}
