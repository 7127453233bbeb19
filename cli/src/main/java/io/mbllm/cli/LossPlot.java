package io.mbllm.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

/**
 * The training loss curve as an image: SVG written as text, or PNG drawn headless with {@link BufferedImage}
 * and {@link ImageIO}; chosen by the file's extension. Axes: step (x) and loss (y, from 0 or just below the
 * smallest value), with tick labels.
 */
final class LossPlot {
    private static final int W = 720, H = 420, LEFT = 70, RIGHT = 20, TOP = 40, BOTTOM = 50;

    private LossPlot() {}

    /** True for a name ending in {@code .svg} or {@code .png} (case-insensitive). */
    static boolean supported(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".svg") || n.endsWith(".png");
    }

    /** Writes the curve of {@code losses} (loss of step {@code first + i}) to {@code file}. */
    static void write(Path file, String title, int first, List<Double> losses) throws IOException {
        if (losses.isEmpty()) throw new IllegalArgumentException("no steps to plot");
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".svg")) {
            Files.writeString(file, svg(title, first, losses), StandardCharsets.UTF_8);
        } else if (n.endsWith(".png")) {
            System.setProperty("java.awt.headless", "true");
            if (!ImageIO.write(png(title, first, losses), "png", file.toFile())) throw new IOException("no PNG writer available");
        } else {
            throw new IllegalArgumentException(file + ": the plot must be a .svg or .png file");
        }
    }

    /** Plot geometry: value ranges and the mapping to pixels. */
    private record Frame(int first, int last, double lo, double hi) {
        static Frame of(int first, List<Double> losses) {
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (double v : losses) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            double span = Math.max(max - min, 1e-6);
            double lo = Math.max(0, min - 0.1 * span), hi = max + 0.05 * span;
            return new Frame(first, first + losses.size() - 1, lo, hi);
        }

        double x(double step) {
            return LEFT + (last == first ? 0.5 : (step - first) / (last - first)) * (W - LEFT - RIGHT);
        }

        double y(double loss) {
            return TOP + (hi - loss) / (hi - lo) * (H - TOP - BOTTOM);
        }
    }

    static String svg(String title, int first, List<Double> losses) {
        Frame f = Frame.of(first, losses);
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H, W, H));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\">%s</text>%n", LEFT, escape(title)));
        for (int i = 0; i <= 5; i++) {
            double v = f.lo + (f.hi - f.lo) * i / 5;
            double y = f.y(v);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, y, W - RIGHT, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3f</text>%n", LEFT - 6, y + 4, v));
        }
        for (int step : xTicks(f)) {
            double x = f.x(step);
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", x, H - BOTTOM + 18, step));
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", LEFT, TOP, LEFT, H - BOTTOM));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">step</text>%n", (LEFT + W - RIGHT) / 2, H - 12));
        s.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">loss</text>%n", (TOP + H - BOTTOM) / 2, (TOP + H - BOTTOM) / 2));
        s.append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"");
        for (int i = 0; i < losses.size(); i++) {
            s.append(String.format(Locale.ROOT, "%.1f,%.1f ", f.x(first + i), f.y(losses.get(i))));
        }
        s.append("\"/>\n</svg>\n");
        return s.toString();
    }

    static BufferedImage png(String title, int first, List<Double> losses) {
        Frame f = Frame.of(first, losses);
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int i = 0; i <= 5; i++) {
                double v = f.lo + (f.hi - f.lo) * i / 5;
                int y = (int) Math.round(f.y(v));
                g.setColor(new Color(0xdd, 0xdd, 0xdd));
                g.drawLine(LEFT, y, W - RIGHT, y);
                g.setColor(Color.BLACK);
                String label = String.format(Locale.ROOT, "%.3f", v);
                g.drawString(label, LEFT - 6 - g.getFontMetrics().stringWidth(label), y + 4);
            }
            for (int step : xTicks(f)) {
                String label = Integer.toString(step);
                g.drawString(label, (int) Math.round(f.x(step)) - g.getFontMetrics().stringWidth(label) / 2, H - BOTTOM + 18);
            }
            g.drawLine(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM);
            g.drawLine(LEFT, TOP, LEFT, H - BOTTOM);
            g.drawString("step", (LEFT + W - RIGHT) / 2 - 12, H - 12);
            g.drawString("loss", 8, TOP - 8);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
            g.drawString(title, LEFT, 24);
            g.setColor(new Color(0x1f, 0x77, 0xb4));
            g.setStroke(new BasicStroke(2f));
            for (int i = 1; i < losses.size(); i++) {
                g.drawLine((int) Math.round(f.x(first + i - 1)), (int) Math.round(f.y(losses.get(i - 1))),
                        (int) Math.round(f.x(first + i)), (int) Math.round(f.y(losses.get(i))));
            }
            if (losses.size() == 1) g.fillOval((int) f.x(first) - 3, (int) f.y(losses.getFirst()) - 3, 6, 6);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** About eight round step numbers across the range. */
    private static int[] xTicks(Frame f) {
        int span = Math.max(1, f.last - f.first);
        int step = 1;
        for (int c : new int[] {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000}) {
            step = c;
            if (span / c <= 8) break;
        }
        int start = ((f.first + step - 1) / step) * step;
        int n = Math.max(0, (f.last - start) / step + 1);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = start + i * step;
        return out;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
