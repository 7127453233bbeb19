package io.mbllm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** A chart written to a file: SVG ({@link PlotSvg}) or PNG ({@link PlotPng}), chosen by the name's extension. */
final class PlotFile {
    private PlotFile() {}

    /** True for a name ending in {@code .svg} or {@code .png} (case-insensitive). */
    static boolean supported(Path file) {
        return isSvg(file) || extension(file).equals(".png");
    }

    /** Writes {@code marks} on a {@code width} x {@code height} canvas to {@code file}, a {@link #supported} name. */
    static void write(List<PlotMark> marks, int width, int height, Path file) throws IOException {
        if (!supported(file)) throw new IllegalArgumentException(file + ": the plot must be a .svg or .png file");
        if (isSvg(file)) {
            Files.writeString(file, PlotSvg.render(marks, width, height), StandardCharsets.UTF_8);
        } else {
            PlotPng.write(marks, width, height, file);
        }
    }

    private static boolean isSvg(Path file) {
        return extension(file).equals(".svg");
    }

    private static String extension(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot);
    }
}
