package io.mbllm.server.modelfile;

import io.mbllm.engine.template.go.GoJson;
import java.util.List;

/** A typed parameter value: float32, int64, bool, or the string list of {@code stop}. */
public sealed interface ParamValue {

    /** The value as Go's JSON encoder would write it into the params layer. */
    Object jsonValue();

    /** The value's text as written after {@code PARAMETER name } (list items are rendered one per line). */
    List<String> modelfileValues();

    /** A 32-bit float parameter. */
    record FloatValue(float value) implements ParamValue {
        public FloatValue {
            if (!Float.isFinite(value)) {
                throw new IllegalArgumentException("parameter float must be finite: " + value);
            }
        }

        @Override
        public Object jsonValue() {
            return value;
        }

        @Override
        public List<String> modelfileValues() {
            try {
                return List.of(GoJson.marshal(value));
            } catch (GoJson.UnsupportedValueException e) {
                throw new IllegalStateException(e); // finite by construction
            }
        }
    }

    /** A 64-bit integer parameter. */
    record IntValue(long value) implements ParamValue {
        @Override
        public Object jsonValue() {
            return value;
        }

        @Override
        public List<String> modelfileValues() {
            return List.of(Long.toString(value));
        }
    }

    /** A boolean parameter. */
    record BoolValue(boolean value) implements ParamValue {
        @Override
        public Object jsonValue() {
            return value;
        }

        @Override
        public List<String> modelfileValues() {
            return List.of(Boolean.toString(value));
        }
    }

    /** A string-list parameter ({@code stop}); repeated Modelfile lines accumulate in order. */
    record StringList(List<String> values) implements ParamValue {
        public StringList {
            values = List.copyOf(values);
        }

        @Override
        public Object jsonValue() {
            return values;
        }

        @Override
        public List<String> modelfileValues() {
            return values;
        }
    }
}
