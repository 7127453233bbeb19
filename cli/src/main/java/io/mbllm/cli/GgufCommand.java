package io.mbllm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.TensorInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mbllm gguf}: inspect GGUF files. */
@Command(name = "gguf", description = "Inspect GGUF files.", mixinStandardHelpOptions = true,
        subcommands = {GgufCommand.Show.class})
public final class GgufCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code mbllm gguf show FILE}: header line, metadata table (key, type, value) and tensor table (index,
     * name, type, shape, bytes), like gguf-dump. Exit status 1 with the reason on a malformed file.
     */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print the header, metadata and tensor table of a GGUF file.")
    static final class Show implements Callable<Integer> {
        /** Arrays longer than this are abbreviated unless --all. */
        static final int ARRAY_PREVIEW = 8;
        /** Strings longer than this (in chars) are cut unless --all. */
        static final int STRING_PREVIEW = 80;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The GGUF file.")
        Path file;

        @Option(names = "--keys-only", description = "Only the header and the metadata.")
        boolean keysOnly;

        @Option(names = "--tensors-only", description = "Only the header and the tensor table.")
        boolean tensorsOnly;

        @Option(names = "--all", description = "Print arrays and long strings in full.")
        boolean all;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (keysOnly && tensorsOnly) {
                err.println("mbllm: --keys-only and --tensors-only exclude each other");
                return 2;
            }
            try (GgufFile f = GgufFile.open(file)) {
                out.println(header(f));
                if (!tensorsOnly) printMetadata(f, out);
                if (!keysOnly) printTensors(f, out);
                out.flush();
                return 0;
            } catch (GgufFormatException e) {
                err.println("mbllm: " + file + ": " + e.getMessage());
                return 1;
            } catch (NoSuchFileException e) {
                err.println("mbllm: " + file + ": no such file");
                return 1;
            } catch (IOException e) {
                err.println("mbllm: " + file + ": cannot read: " + e);
                return 1;
            }
        }

        static String header(GgufFile f) {
            return String.format(Locale.ROOT, "GGUF v%d: %d tensors, %d kv, alignment %d, data offset %d (0x%X), file size %s (%d bytes)",
                    f.version(), f.tensors().size(), f.metadata().size(), f.alignment(), f.dataOffset(), f.dataOffset(),
                    HumanSize.format(f.size()), f.size());
        }

        private void printMetadata(GgufFile f, PrintWriter out) {
            List<String[]> rows = new ArrayList<>();
            int i = 1;
            for (Map.Entry<String, GgufValue> e : f.metadata().asMap().entrySet()) {
                rows.add(new String[] {Integer.toString(i++), e.getKey(), typeName(e.getValue()), value(e.getValue())});
            }
            out.println();
            out.println("Metadata (" + rows.size() + " keys):");
            table(out, new String[] {"#", "key", "type", "value"}, rows, new boolean[] {true, false, false, false});
        }

        private void printTensors(GgufFile f, PrintWriter out) {
            List<String[]> rows = new ArrayList<>();
            int i = 0;
            long total = 0;
            for (TensorInfo t : f.tensors()) {
                rows.add(new String[] {Integer.toString(i++), t.name(), t.type().name(), shape(t),
                        HumanSize.format(t.byteSize())});
                total += t.byteSize();
            }
            out.println();
            out.println("Tensors (" + rows.size() + ", " + HumanSize.format(total) + "):");
            table(out, new String[] {"#", "name", "type", "shape", "bytes"}, rows,
                    new boolean[] {true, false, false, false, true});
        }

        static String shape(TensorInfo t) {
            StringBuilder sb = new StringBuilder("[");
            long[] ne = t.ne();
            for (int d = 0; d < ne.length; d++) sb.append(d == 0 ? "" : ", ").append(ne[d]);
            return sb.append(']').toString();
        }

        static String typeName(GgufValue v) {
            return v instanceof GgufValue.Array a ? "[" + a.elementType().shortName() + "]" : v.type().shortName();
        }

        String value(GgufValue v) {
            return switch (v) {
                case GgufValue.UInt8(int x) -> Integer.toString(x);
                case GgufValue.Int8(byte x) -> Byte.toString(x);
                case GgufValue.UInt16(int x) -> Integer.toString(x);
                case GgufValue.Int16(short x) -> Short.toString(x);
                case GgufValue.UInt32(long x) -> Long.toString(x);
                case GgufValue.Int32(int x) -> Integer.toString(x);
                case GgufValue.Float32(float x) -> Float.toString(x);
                case GgufValue.Bool(boolean x) -> Boolean.toString(x);
                case GgufValue.UInt64(long bits) -> Long.toUnsignedString(bits);
                case GgufValue.Int64(long x) -> Long.toString(x);
                case GgufValue.Float64(double x) -> Double.toString(x);
                case GgufValue.Str s -> quote(s.text());
                case GgufValue.Array a -> array(a);
            };
        }

        private String array(GgufValue.Array a) {
            int n = a.size();
            int shown = all ? n : Math.min(n, n > ARRAY_PREVIEW ? 5 : n);
            StringBuilder sb = new StringBuilder();
            boolean abbreviated = shown < n;
            if (abbreviated) sb.append('[').append(n).append(" × ").append(a.elementType().shortName()).append("] ");
            else sb.append('[');
            for (int i = 0; i < shown; i++) {
                if (i > 0) sb.append(", ");
                sb.append(element(a, i));
            }
            sb.append(abbreviated ? ", ..." : "]");
            return sb.toString();
        }

        private String element(GgufValue.Array a, int i) {
            return switch (a) {
                case GgufValue.StringArray s -> quote(s.get(i));
                case GgufValue.NestedArray nested -> array(nested.elements().get(i));
                case GgufValue.NumericArray num -> switch (num.elementType()) {
                    case FLOAT32 -> Float.toString((float) num.getDouble(i));
                    case FLOAT64 -> Double.toString(num.getDouble(i));
                    case BOOL -> Boolean.toString(num.getLong(i) != 0);
                    case UINT64 -> Long.toUnsignedString(num.getLong(i));
                    default -> Long.toString(num.getLong(i));
                };
            };
        }

        /** A quoted string with control characters escaped, cut to {@link #STRING_PREVIEW} chars unless --all. */
        private String quote(String s) {
            StringBuilder sb = new StringBuilder("\"");
            int limit = all ? s.length() : Math.min(s.length(), STRING_PREVIEW);
            for (int i = 0; i < limit; i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    default -> {
                        if (c < 0x20 || c == 0x7F) sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
                        else sb.append(c);
                    }
                }
            }
            sb.append('"');
            if (limit < s.length()) sb.append("... (").append(s.length()).append(" chars)");
            return sb.toString();
        }

        private static void table(PrintWriter out, String[] head, List<String[]> rows, boolean[] rightAlign) {
            int[] w = new int[head.length];
            for (int c = 0; c < head.length; c++) w[c] = head[c].length();
            for (String[] r : rows) {
                for (int c = 0; c < r.length; c++) w[c] = Math.max(w[c], r[c].length());
            }
            out.println(row(head, w, rightAlign));
            for (String[] r : rows) out.println(row(r, w, rightAlign));
        }

        private static String row(String[] cells, int[] w, boolean[] rightAlign) {
            StringBuilder sb = new StringBuilder(" ");
            for (int c = 0; c < cells.length; c++) {
                boolean last = c == cells.length - 1;
                String cell = cells[c];
                int pad = last && !rightAlign[c] ? 0 : Math.max(0, w[c] - cell.length());
                sb.append("  ");
                if (rightAlign[c]) sb.append(" ".repeat(pad)).append(cell);
                else sb.append(cell).append(" ".repeat(pad));
            }
            return sb.toString().stripTrailing();
        }
    }
}
