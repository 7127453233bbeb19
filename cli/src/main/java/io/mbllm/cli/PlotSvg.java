package io.mbllm.cli;

import java.util.List;
import java.util.Locale;

/** Writes {@link PlotMark}s as a standalone SVG document. */
final class PlotSvg {
    private PlotSvg() {}

    static String render(List<PlotMark> marks, int width, int height) {
        StringBuilder b = new StringBuilder();
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">%n", width, height, width, height));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", width, height));
        for (PlotMark m : marks) {
            switch (m) {
                case PlotMark.Line l -> b.append(String.format(Locale.ROOT,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"/>%n",
                        l.x1(), l.y1(), l.x2(), l.y2(), l.color(), l.width()));
                case PlotMark.Dot d -> b.append(String.format(Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                        d.x(), d.y(), d.radius(), d.filled() ? d.color() : "#ffffff", d.color()));
                case PlotMark.Polyline p -> {
                    b.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" stroke-linejoin=\"round\" points=\"",
                            p.color(), p.width()));
                    for (PlotMark.Polyline.Point q : p.points()) b.append(String.format(Locale.ROOT, "%.1f,%.1f ", q.x(), q.y()));
                    b.append("\"/>\n");
                }
                case PlotMark.Text t -> {
                    String rotate = t.vertical() ? String.format(Locale.ROOT, " transform=\"rotate(-90 %.1f %.1f)\"", t.x(), t.y()) : "";
                    b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" text-anchor=\"%s\" fill=\"%s\"%s>%s</text>%n",
                            t.x(), t.y(), t.size(), t.anchor().svg, t.color(), rotate, escape(t.text())));
                }
            }
        }
        return b.append("</svg>\n").toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
