package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

class ProgressBarTest {
    @Test
    void terminalRedrawsInPlaceAndThrottles() {
        StringWriter s = new StringWriter();
        long[] now = {0};
        ProgressBar bar = new ProgressBar(new PrintWriter(s), true, () -> now[0]);
        now[0] = 1_000_000_000L;
        bar.update("a", 10_000_000, 40_000_000);
        now[0] += 10_000_000; // 10 ms later: same label, throttled
        bar.update("a", 11_000_000, 40_000_000);
        now[0] += 200_000_000;
        bar.update("b", 40_000_000, 40_000_000);
        bar.finish();
        String out = s.toString();
        assertEquals(2, out.chars().filter(c -> c == '\r').count(), out);
        assertTrue(out.contains(" 25% 10.0 MB/s a"), out);
        assertTrue(out.contains("100% 33.1 MB/s b"), out);
        assertTrue(out.endsWith(System.lineSeparator()), out);
    }

    @Test
    void plainModePrintsOneLinePerLabel() {
        StringWriter s = new StringWriter();
        long[] now = {0};
        ProgressBar bar = new ProgressBar(new PrintWriter(s), false, () -> now[0]);
        for (int i = 0; i < 5; i++) {
            now[0] += 500_000_000L;
            bar.update(i < 3 ? "x" : "y", i, 4);
        }
        bar.update("y", 4, 4);
        bar.finish();
        String[] lines = s.toString().split("\\R");
        assertEquals(3, lines.length, s.toString());
        assertTrue(lines[0].endsWith(" x") && lines[1].endsWith(" y"));
        assertTrue(lines[2].contains("100%"), lines[2]);
        assertTrue(!s.toString().contains("\r"));
    }

    @Test
    void units() {
        assertEquals("12.5 MB/s", Units.rate(25_000_000, 2));
        assertEquals("850 ms", Units.duration(0.85));
        assertEquals("12.3 s", Units.duration(12.34));
        assertEquals("4m05s", Units.duration(245));
    }

    @Test
    void stepsModeCountsStepsInsteadOfBytes() {
        StringWriter s = new StringWriter();
        long[] now = {0};
        ProgressBar bar = ProgressBar.steps(new PrintWriter(s), false, () -> now[0]);
        now[0] = 1_000_000_000L;
        bar.update("q4: generating", 3, 12);
        bar.update("q4: text", 12, 12);
        String out = s.toString();
        assertTrue(out.contains(" 25% 3/12 q4: generating"), out);
        assertTrue(out.contains("100% 12/12 q4: text"), out);
        assertTrue(!out.contains("MB/s"), out);
    }
}
