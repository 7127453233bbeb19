package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The finetune loss curve drawn through the shared marks: its geometry, and the same chart as SVG and PNG. */
class LossPlotTest {
    @TempDir
    Path dir;

    /** Twelve steps from step 5 on, falling with a bump. */
    static final List<Double> LOSSES = List.of(2.0, 1.8, 1.9, 1.5, 1.4, 1.45, 1.2, 1.1, 1.15, 1.0, 0.95, 0.9);
    static final int FIRST = 5;

    static PlotMark.Polyline curve(List<PlotMark> marks) {
        return assertInstanceOf(PlotMark.Polyline.class, marks.getLast(), "the curve is drawn last");
    }

    @Test
    void theCurveHasOneVertexPerStepAcrossTheFrame() {
        List<PlotMark> marks = LossPlot.marks("t", FIRST, LOSSES);
        List<PlotMark.Polyline.Point> pts = curve(marks).points();
        assertEquals(LOSSES.size(), pts.size());
        assertEquals(70, pts.getFirst().x(), 1e-9); // left edge of the frame
        assertEquals(LossPlot.WIDTH - 20, pts.getLast().x(), 1e-9); // right edge
        for (int i = 1; i < pts.size(); i++) {
            assertTrue(pts.get(i).x() > pts.get(i - 1).x());
            // pixel y grows downwards: a lower loss sits lower on the canvas
            assertEquals(Double.compare(LOSSES.get(i - 1), LOSSES.get(i)), Double.compare(pts.get(i).y(), pts.get(i - 1).y()), "step " + i);
        }
        // the highest loss is 5% of the span below the top (y 40), the lowest 10% above the bottom (y 370)
        double span = 2.0 - 0.9, lo = 0.9 - 0.1 * span, hi = 2.0 + 0.05 * span;
        assertEquals(40 + 0.05 * span / (hi - lo) * 330, pts.getFirst().y(), 1e-9);
        assertEquals(370 - 0.1 * span / (hi - lo) * 330, pts.getLast().y(), 1e-9);
    }

    @Test
    void axesTicksAndTitleAreMarks() {
        List<PlotMark> marks = LossPlot.marks("mbllm finetune: a (rank 4, lr 0.001)", FIRST, LOSSES);
        List<String> texts = marks.stream().filter(m -> m instanceof PlotMark.Text).map(m -> ((PlotMark.Text) m).text()).toList();
        assertTrue(texts.contains("mbllm finetune: a (rank 4, lr 0.001)"), texts.toString());
        assertTrue(texts.containsAll(List.of("step", "loss", "0.790", "2.055")), texts.toString()); // loss range labels
        assertTrue(texts.containsAll(List.of("6", "8", "10", "12", "14", "16")), texts.toString()); // steps 5..16, every 2
        assertFalse(texts.contains("5"), texts.toString());
        long grid = marks.stream().filter(m -> m instanceof PlotMark.Line l && l.color().equals(PlotMark.GRID)).count();
        assertEquals(6, grid);
        assertTrue(marks.stream().noneMatch(m -> m instanceof PlotMark.Dot), "no dot on a curve of several steps");
    }

    @Test
    void oneStepIsADot() {
        List<PlotMark> marks = LossPlot.marks("t", 1, List.of(1.5));
        assertEquals(1, curve(marks).points().size());
        PlotMark.Dot d = (PlotMark.Dot) marks.stream().filter(m -> m instanceof PlotMark.Dot).findFirst().orElseThrow();
        assertEquals(70 + 0.5 * (LossPlot.WIDTH - 90), d.x(), 1e-9);
    }

    @Test
    void svgHasTheXmlDeclarationAndOnePolylinePointPerStep() throws Exception {
        Path svg = dir.resolve("loss.SVG");
        LossPlot.write(svg, "a <b> & c", FIRST, LOSSES);
        String s = Files.readString(svg, StandardCharsets.UTF_8);
        assertTrue(s.startsWith("<?xml") && s.trim().endsWith("</svg>"), s);
        assertTrue(s.contains("width=\"720\" height=\"420\""), s);
        assertTrue(s.contains(">a &lt;b&gt; &amp; c</text>"), s);
        Matcher m = Pattern.compile("<polyline [^>]*points=\"([^\"]*)\"").matcher(s);
        assertTrue(m.find(), s);
        String[] pts = m.group(1).trim().split(" ");
        assertEquals(LOSSES.size(), pts.length);
        List<PlotMark.Polyline.Point> expected = curve(LossPlot.marks("t", FIRST, LOSSES)).points();
        for (int i = 0; i < pts.length; i++) {
            String[] xy = pts[i].split(",");
            assertEquals(expected.get(i).x(), Double.parseDouble(xy[0]), 0.051);
            assertEquals(expected.get(i).y(), Double.parseDouble(xy[1]), 0.051);
        }
    }

    @Test
    void pngDecodesAtTheStatedSizeWithTheCurveThroughEveryVertex() throws Exception {
        Path png = dir.resolve("loss.png");
        LossPlot.write(png, "t", FIRST, LOSSES);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(LossPlot.WIDTH, img.getWidth());
        assertEquals(LossPlot.HEIGHT, img.getHeight());
        Color data = Color.decode(PlotMark.DATA);
        for (PlotMark.Polyline.Point p : curve(LossPlot.marks("t", FIRST, LOSSES)).points()) {
            assertTrue(near(img, (int) Math.round(p.x()), (int) Math.round(p.y()), data), "curve color at " + p);
        }
        assertEquals(Color.WHITE.getRGB(), img.getRGB(LossPlot.WIDTH - 5, 5)); // background
    }

    /** True when a pixel within one of (x, y) is the color, to a small antialiasing tolerance. */
    private static boolean near(BufferedImage img, int x, int y, Color c) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int px = Math.clamp(x + dx, 0, img.getWidth() - 1), py = Math.clamp(y + dy, 0, img.getHeight() - 1);
                Color p = new Color(img.getRGB(px, py));
                if (Math.abs(p.getRed() - c.getRed()) + Math.abs(p.getGreen() - c.getGreen()) + Math.abs(p.getBlue() - c.getBlue()) < 24) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> LossPlot.marks("t", 1, List.of()));
        assertThrows(IllegalArgumentException.class, () -> LossPlot.write(dir.resolve("loss.jpg"), "t", 1, LOSSES));
        assertTrue(PlotFile.supported(Path.of("a.Png")) && PlotFile.supported(Path.of("x/b.svg")));
        assertFalse(PlotFile.supported(Path.of("svg")) || PlotFile.supported(Path.of("a.svg.txt")));
    }
}
