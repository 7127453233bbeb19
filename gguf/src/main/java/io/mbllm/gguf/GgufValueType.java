package io.mbllm.gguf;

/** The GGUF metadata value types with their on-disk ids ({@code shared/docs/gguf.md} §1). */
public enum GgufValueType {
    UINT8(0, "u8", 1),
    INT8(1, "i8", 1),
    UINT16(2, "u16", 2),
    INT16(3, "i16", 2),
    UINT32(4, "u32", 4),
    INT32(5, "i32", 4),
    FLOAT32(6, "f32", 4),
    BOOL(7, "bool", 1),
    STRING(8, "string", -1),
    ARRAY(9, "array", -1),
    UINT64(10, "u64", 8),
    INT64(11, "i64", 8),
    FLOAT64(12, "f64", 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final String shortName;
    private final int size;

    GgufValueType(int id, String shortName, int size) {
        this.id = id;
        this.shortName = shortName;
        this.size = size;
    }

    /** The id stored in the file. */
    public int id() { return id; }

    /** Short display name ({@code u32}, {@code string}, ...). */
    public String shortName() { return shortName; }

    /** Byte size of one value for fixed-size types; {@code -1} for STRING and ARRAY. */
    public int fixedSize() { return size; }

    /** True for the fixed-size types (everything except STRING and ARRAY). */
    public boolean isFixedSize() { return size > 0; }

    /** True for the integer types (UINT8 … INT64, not BOOL). */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** The type with this id, or {@code null} when unknown. */
    public static GgufValueType byId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }
}
