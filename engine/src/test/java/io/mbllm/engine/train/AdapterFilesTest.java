package io.mbllm.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mbllm.engine.lora.LoraAdapter;
import io.mbllm.engine.model.Model;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.kernels.Parallel;
import io.mbllm.testkit.SharedData;

/** The adapter writer against the reference adapter, and checkpoint / resume. */
class AdapterFilesTest {
    static final String DIR = "testdata/lora-train-oracle/";

    static TrainState step30(LoraLayout layout, String run) throws Exception {
        byte[] b = Files.readAllBytes(SharedData.require(DIR + run + ".step30.f32"));
        float[] p = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(p);
        return new TrainState(layout, 8f, p, new float[p.length], new float[p.length], 30);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"lora", "qlora"})
    void writtenAdapterIsTheReferenceFile(String run, @TempDir Path dir) throws Exception {
        Path ref = SharedData.require(DIR + "stories260K-" + run + "-train.f32.gguf");
        Path base = SharedData.require("models/stories260K.gguf");
        Path out = dir.resolve("a.gguf");
        try (Model m = Model.open(base)) {
            LoraLayout layout = LoraLayout.of(m.config(), LoraTarget.all(), 4);
            AdapterFiles.writeAdapter(out, "llama", "stories260K-" + run, step30(layout, run));
            try (GgufFile want = GgufFile.open(ref); GgufFile got = GgufFile.open(out)) {
                assertEquals(want.metadata(), got.metadata());
                List<TensorInfo> wt = want.tensors(), gt = got.tensors();
                assertEquals(70, gt.size());
                for (int i = 0; i < wt.size(); i++) {
                    assertEquals(wt.get(i).name(), gt.get(i).name());
                    assertArrayEquals(wt.get(i).ne(), gt.get(i).ne());
                    assertEquals(wt.get(i).type(), gt.get(i).type());
                }
            }
            // same metadata, order, alignment and values: the file is byte for byte gguf-py's
            assertArrayEquals(Files.readAllBytes(ref), Files.readAllBytes(out));
            try (LoraAdapter a = LoraAdapter.load(out)) {
                a.checkFits(m.source(), false);
                assertEquals(35, a.pairs().size());
                assertEquals(8f, a.alpha());
            }
        }
    }

    @Test
    void resumingFromACheckpointContinuesBitForBit(@TempDir Path dir) throws Exception {
        int[] toks = new int[400];
        for (int i = 0; i < toks.length; i++) toks[i] = 1 + (i * 37 + i / 7) % 500;
        try (Parallel pool = new Parallel(2); Model m = Model.open(SharedData.require("models/stories260K.gguf"))) {
            LoraLayout layout = LoraLayout.of(m.config(), java.util.EnumSet.of(LoraTarget.Q, LoraTarget.V, LoraTarget.DOWN), 2);
            List<TrainBatch> data = TrainData.text(toks, 32, 3);
            ForwardBackward fb = new ForwardBackward(m, layout, 4f, pool);
            Trainer straight = new Trainer(fb, TrainState.initial(layout, 4f, 3), data, CrossEntropyLoss.INSTANCE, 1, AdamW.of(1e-2));
            Path ck = dir.resolve("ck.gguf");
            for (int s = 1; s <= 6; s++) {
                straight.step();
                if (s == 3) AdapterFiles.writeCheckpoint(ck, "llama", straight.state());
            }
            TrainState resumed = AdapterFiles.readCheckpoint(ck, layout);
            assertEquals(3, resumed.step());
            Trainer again = new Trainer(fb, resumed, data, CrossEntropyLoss.INSTANCE, 1, AdamW.of(1e-2));
            for (int s = 4; s <= 6; s++) assertEquals(s, again.step().step());
            assertArrayEquals(straight.state().params(), resumed.params());
            assertArrayEquals(straight.state().m(), resumed.m());
            assertArrayEquals(straight.state().v(), resumed.v());
            LoraLayout other = LoraLayout.of(m.config(), java.util.EnumSet.of(LoraTarget.Q, LoraTarget.V, LoraTarget.DOWN), 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdapterFiles.readCheckpoint(ck, other));
            assertTrue(e.getMessage().contains("rank 2"), e.getMessage());
            Path adapter = dir.resolve("adapter.gguf");
            AdapterFiles.writeAdapter(adapter, "llama", "x", resumed);
            e = assertThrows(IllegalArgumentException.class, () -> AdapterFiles.readCheckpoint(adapter, layout));
            assertTrue(e.getMessage().contains("not an mbllm training checkpoint"), e.getMessage());
        }
    }
}
