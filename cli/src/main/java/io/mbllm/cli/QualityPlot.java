package io.mbllm.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.mbllm.engine.compare.ComparisonResult;
import io.mbllm.engine.compare.VariantResult;

/**
 * The {@code mbllm compare --plot} chart: mean KL divergence from the reference (log scale, lower is better)
 * against bits per weight, one labelled point per variant. The reference itself (KLD 0, which a log axis cannot
 * show) is a hollow red point on the bottom edge.
 */
final class QualityPlot {
    static final int WIDTH = 760, HEIGHT = 500;
    private static final double LEFT = 80, RIGHT = 40, TOP = 50, BOTTOM = 60;

    private QualityPlot() {}

    /** The chart's marks. */
    static List<PlotMark> marks(ComparisonResult result) {
        List<VariantResult> rs = result.results();
        double xMin = Double.MAX_VALUE, xMax = -Double.MAX_VALUE, kMin = Double.MAX_VALUE, kMax = -Double.MAX_VALUE;
        for (VariantResult r : rs) {
            xMin = Math.min(xMin, r.bitsPerWeight());
            xMax = Math.max(xMax, r.bitsPerWeight());
            if (!r.reference() && r.kldMean() != null && r.kldMean() > 0) {
                kMin = Math.min(kMin, r.kldMean());
                kMax = Math.max(kMax, r.kldMean());
            }
        }
        if (kMin == Double.MAX_VALUE) { // nothing but the reference
            kMin = 1e-3;
            kMax = 1e-1;
        }
        double pad = Math.max(0.5, 0.08 * (xMax - xMin));
        double x0 = Math.max(0, xMin - pad), x1 = xMax + pad;
        int d0 = (int) Math.floor(Math.log10(kMin)), d1 = (int) Math.ceil(Math.log10(kMax));
        if (d1 <= d0) d1 = d0 + 1;
        Axes a = new Axes(x0, x1, d0, d1);

        List<PlotMark> m = new ArrayList<>();
        m.add(new PlotMark.Text(WIDTH / 2.0, 28, "KL divergence from " + result.reference() + " vs bits per weight", 16,
                PlotMark.Anchor.MIDDLE, false, PlotMark.INK));
        for (int d = d0; d <= d1; d++) { // decades: grid and labels
            double y = a.y(Math.pow(10, d));
            m.add(new PlotMark.Line(LEFT, y, WIDTH - RIGHT, y, PlotMark.GRID, 1));
            m.add(new PlotMark.Text(LEFT - 8, y + 4, "1e" + d, 12, PlotMark.Anchor.END, false, PlotMark.INK));
        }
        double step = niceStep((x1 - x0) / 6);
        for (double x = Math.ceil(x0 / step) * step; x <= x1 + 1e-9; x += step) {
            double px = a.x(x);
            m.add(new PlotMark.Line(px, TOP, px, HEIGHT - BOTTOM, PlotMark.GRID, 1));
            m.add(new PlotMark.Text(px, HEIGHT - BOTTOM + 18, trim(x), 12, PlotMark.Anchor.MIDDLE, false, PlotMark.INK));
        }
        m.add(new PlotMark.Line(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM, PlotMark.INK, 1.5));
        m.add(new PlotMark.Line(LEFT, TOP, LEFT, HEIGHT - BOTTOM, PlotMark.INK, 1.5));
        m.add(new PlotMark.Text((LEFT + WIDTH - RIGHT) / 2, HEIGHT - 16, "bits per weight", 13, PlotMark.Anchor.MIDDLE, false, PlotMark.INK));
        m.add(new PlotMark.Text(22, (TOP + HEIGHT - BOTTOM) / 2, "mean KLD (log scale, lower is closer)", 13,
                PlotMark.Anchor.MIDDLE, true, PlotMark.INK));
        for (VariantResult r : rs) {
            String label = r.model() + " (" + HumanSize.format(r.size()) + ")";
            double px = a.x(r.bitsPerWeight());
            // labels of points near the right edge go to their left
            PlotMark.Anchor side = px > WIDTH - RIGHT - 160 ? PlotMark.Anchor.END : PlotMark.Anchor.START;
            double dx = side == PlotMark.Anchor.END ? -9 : 9;
            if (r.reference() || r.kldMean() == null || r.kldMean() <= 0) {
                double py = HEIGHT - BOTTOM;
                m.add(new PlotMark.Dot(px, py, 6, PlotMark.REFERENCE, false));
                m.add(new PlotMark.Text(px + dx, py - 10, label + (r.reference() ? ", reference" : ", KLD 0"), 12, side, false,
                        PlotMark.REFERENCE));
            } else {
                double py = a.y(r.kldMean());
                m.add(new PlotMark.Dot(px, py, 5, PlotMark.DATA, true));
                m.add(new PlotMark.Text(px + dx, py - 8, label + String.format(Locale.ROOT, ", KLD %.4g", r.kldMean()), 12, side,
                        false, PlotMark.INK));
            }
        }
        return m;
    }

    /** Data to pixels: x linear in bits per weight, y logarithmic in KLD over whole decades. */
    private record Axes(double x0, double x1, int d0, int d1) {
        double x(double bpw) {
            return LEFT + (bpw - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT);
        }

        double y(double kld) {
            double f = (Math.log10(kld) - d0) / (d1 - d0);
            return HEIGHT - BOTTOM - f * (HEIGHT - TOP - BOTTOM);
        }
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double f : new double[] {1, 2, 5, 10}) {
            if (f * p >= raw) return f * p;
        }
        return 10 * p;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
