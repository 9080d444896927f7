package io.promptq.aggregator.deadletters.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.temporal.TemporalAccessor;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.jspecify.annotations.Nullable;

/**
 * An Avro record as plain JSON for people: fields by name, unions unwrapped, timestamps as ISO-8601, bytes as hex
 * (Avro's own JSON encoding wraps every union value and its {@code toString} prints timestamps unquoted).
 */
final class AvroJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AvroJson() {}

    static JsonNode of(@Nullable Object value) {
        return switch (value) {
            case null -> NODES.nullNode();
            case IndexedRecord record -> {
                ObjectNode node = NODES.objectNode();
                for (Schema.Field field : record.getSchema().getFields()) {
                    node.set(field.name(), of(record.get(field.pos())));
                }
                yield node;
            }
            case Map<?, ?> map -> {
                ObjectNode node = NODES.objectNode();
                map.forEach((k, v) -> node.set(String.valueOf(k), of(v)));
                yield node;
            }
            case Collection<?> list -> {
                ArrayNode node = NODES.arrayNode();
                list.forEach(item -> node.add(of(item)));
                yield node;
            }
            case ByteBuffer bytes -> {
                ByteBuffer copy = bytes.duplicate();
                byte[] array = new byte[copy.remaining()];
                copy.get(array);
                yield NODES.textNode(HexFormat.of().formatHex(array));
            }
            case Boolean b -> NODES.booleanNode(b);
            case Integer i -> NODES.numberNode(i);
            case Long l -> NODES.numberNode(l);
            case Float f -> NODES.numberNode(f);
            case Double d -> NODES.numberNode(d);
            case TemporalAccessor time -> NODES.textNode(time.toString());
            default -> NODES.textNode(value.toString());
        };
    }
}
