package dev.tagstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tagstream.avro.ImageEvent;
import dev.tagstream.avro.Prediction;
import dev.tagstream.avro.TopClass;
import dev.tagstream.topology.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;

/** What happened to one input, read back from the predictions or the dead-letter topic, for people and scripts. */
record Outcome(String id, String source, boolean predicted, String model, boolean trained, List<TopClass> top,
        String reason, String message) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Outcome of(Prediction p) {
        return new Outcome(p.getId(), p.getSource(), true, p.getModel(), p.getWeightsTrained(), p.getTop(), null,
                null);
    }

    /** A dead letter: the id from the key (our producers key by id), the source when the value still parses. */
    static Outcome ofDeadLetter(ConsumerRecord<byte[], byte[]> r, Deserializer<ImageEvent> events) {
        String id = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
        String source = null;
        try {
            ImageEvent e = events.deserialize(header(r, DeadLetters.TOPIC, r.topic()), r.value());
            id = e.getId();
            source = e.getSource();
        } catch (RuntimeException notAnEvent) {
            // the value may be exactly what could not be read: the key and headers still say what happened
        }
        return new Outcome(id, source, false, header(r, DeadLetters.MODEL, null), false, List.of(),
                header(r, DeadLetters.REASON, "UNKNOWN"), header(r, DeadLetters.DETAIL,
                        header(r, DeadLetters.MESSAGE, "")));
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key, String fallback) {
        Header h = r.headers().lastHeader(key);
        return h == null || h.value() == null ? fallback : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** One line: the file (or id), then the top labels with probabilities, or the dead-letter reason. */
    String text(int topN) {
        String name = source != null ? source : id;
        if (!predicted) {
            return name + "  dead-lettered: " + reason + ": " + message;
        }
        StringBuilder sb = new StringBuilder(name).append("  ");
        for (int i = 0; i < Math.min(topN, top.size()); i++) {
            TopClass t = top.get(i);
            sb.append(i == 0 ? "" : ", ").append(t.getLabel())
                    .append(String.format(Locale.ROOT, " %.3f", t.getProbability()));
        }
        sb.append("  [").append(model).append(trained ? "" : ", UNTRAINED weights").append(']');
        return sb.toString();
    }

    String json(int topN) {
        ObjectNode n = JSON.createObjectNode();
        n.put("file", source);
        n.put("id", id);
        n.put("outcome", predicted ? "predicted" : "dead-lettered");
        n.put("model", model);
        if (predicted) {
            n.put("trained", trained);
            ArrayNode arr = n.putArray("top");
            for (int i = 0; i < Math.min(topN, top.size()); i++) {
                arr.addObject().put("index", top.get(i).getIndex()).put("label", top.get(i).getLabel())
                        .put("probability", top.get(i).getProbability());
            }
        } else {
            n.put("reason", reason);
            n.put("message", message);
        }
        return n.toString();
    }
}
