package nl.accordeer.example;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nl.accordeer.contract.Declaration;
import nl.accordeer.contract.StatusEvent;
import nl.accordeer.contract.SubmissionRefused;

/**
 * Every example of the vendor document through the generated models and back: read into the message's class, write
 * out again, and compare with the original, field by field. Argument: a JSON file of [{"message": name, "name":
 * example, "payload": {...}}]. Prints one line per example; exits 1 when any lost or changed something.
 */
public final class RoundTrip {
    private static final Map<String, Class<?>> MODELS = Map.of(
            "Declaration", Declaration.class,
            "StatusEvent", StatusEvent.class,
            "SubmissionRefused", SubmissionRefused.class);

    public static void main(String[] args) throws Exception {
        List<String> failures = new ArrayList<>();
        for (JsonNode example : Json.MAPPER.readTree(Path.of(args[0]).toFile())) {
            String message = example.get("message").asText();
            String name = example.get("name").asText();
            JsonNode original = withoutNulls(example.get("payload"));
            Object model = Json.MAPPER.treeToValue(original, MODELS.get(message));
            JsonNode again = withoutNulls(Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(model)));
            boolean same = original.equals(again);
            System.out.println((same ? "same " : "DIFFERENT ") + message + " " + name);
            if (!same) {
                failures.add(name + ":\n  in:  " + original + "\n  out: " + again);
            }
        }
        failures.forEach(System.out::println);
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    /** Absent and null mean the same in this contract; the generated models leave out what is null. */
    private static JsonNode withoutNulls(JsonNode node) {
        if (node instanceof ObjectNode object) {
            ObjectNode copy = object.objectNode();
            object.properties().forEach(field -> {
                if (!field.getValue().isNull()) {
                    copy.set(field.getKey(), withoutNulls(field.getValue()));
                }
            });
            return copy;
        }
        if (node.isArray()) {
            var copy = node.deepCopy();
            for (int i = 0; i < node.size(); i++) {
                ((com.fasterxml.jackson.databind.node.ArrayNode) copy).set(i, withoutNulls(node.get(i)));
            }
            return copy;
        }
        return node;
    }

    private RoundTrip() {}
}
