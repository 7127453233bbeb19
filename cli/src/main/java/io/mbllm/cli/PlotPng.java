package io.mbllm.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

/** Paints {@link PlotMark}s into a PNG with Java2D (headless: no display needed). */
final class PlotPng {
    private PlotPng() {}

    static void write(List<PlotMark> marks, int width, int height, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            for (PlotMark m : marks) {
                switch (m) {
                    case PlotMark.Line l -> {
                        g.setColor(Color.decode(l.color()));
                        g.setStroke(new BasicStroke((float) l.width()));
                        g.draw(new Line2D.Double(l.x1(), l.y1(), l.x2(), l.y2()));
                    }
                    case PlotMark.Dot d -> {
                        Ellipse2D e = new Ellipse2D.Double(d.x() - d.radius(), d.y() - d.radius(), 2 * d.radius(), 2 * d.radius());
                        g.setColor(d.filled() ? Color.decode(d.color()) : Color.WHITE);
                        g.fill(e);
                        g.setColor(Color.decode(d.color()));
                        g.setStroke(new BasicStroke(2f));
                        g.draw(e);
                    }
                    case PlotMark.Polyline p -> polyline(g, p);
                    case PlotMark.Text t -> text(g, t);
                }
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("no PNG writer in this Java runtime");
    }

    private static void polyline(Graphics2D g, PlotMark.Polyline p) {
        if (p.points().isEmpty()) return;
        Path2D.Double path = new Path2D.Double();
        path.moveTo(p.points().getFirst().x(), p.points().getFirst().y());
        for (PlotMark.Polyline.Point q : p.points().subList(1, p.points().size())) path.lineTo(q.x(), q.y());
        g.setColor(Color.decode(p.color()));
        g.setStroke(new BasicStroke((float) p.width(), BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND));
        g.draw(path);
    }

    private static void text(Graphics2D g, PlotMark.Text t) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, (int) Math.round(t.size())));
        g.setColor(Color.decode(t.color()));
        FontMetrics fm = g.getFontMetrics();
        int w = fm.stringWidth(t.text());
        double shift = switch (t.anchor()) {
            case START -> 0;
            case MIDDLE -> -w / 2.0;
            case END -> -w;
        };
        AffineTransform saved = g.getTransform();
        g.translate(t.x(), t.y());
        if (t.vertical()) g.rotate(-Math.PI / 2);
        g.drawString(t.text(), (float) shift, 0f);
        g.setTransform(saved);
    }
}
