package nl.accordeer.example;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import nl.accordeer.contract.Declaration;
import nl.accordeer.contract.StatusCode;
import nl.accordeer.contract.StatusEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An external package submitting a declaration to Accordeer and following its statuses, with the models generated
 * from docs/asyncapi-vendor.yaml and plain kafka-clients.
 *
 * <p>Arguments: the declaration (JSON, e.g. shared/contracts/examples/inbound_btw_aangifte.json), the status code to
 * wait for (e.g. 30), and optionally a Kafka client properties file (secure mode: security.protocol=SASL_SSL,
 * sasl.mechanism=SCRAM-SHA-512, sasl.jaas.config, ssl.truststore.*). Environment: ACCORDEER_BOOTSTRAP (default
 * localhost:9092), ACCORDEER_TOPIC_PREFIX (the office's prefix, default none), ACCORDEER_OWN_TOPIC=true to publish
 * on declarations.from.&lt;source&gt; (required in secure mode) instead of declarations.inbound.
 *
 * <p>The declaration is sent under a new message_id; the program prints each status of it and exits 0 when the
 * wanted one (or a later one) arrives, 1 when it is refused, rejected or declined, 2 after two minutes without it,
 * 3 when Kafka refuses the program (credentials, rights).
 */
public final class SubmitAndFollow {
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (KafkaException e) {
            // Refused or unreachable (a wrong password, no right on the topic): one line, not a stack trace.
            System.err.println("Kafka refused: " + e.getMessage());
            System.exit(3);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: SubmitAndFollow <declaration.json> <status code to wait for> [client.properties]");
            System.exit(64);
        }
        Declaration declaration = Json.MAPPER.readValue(Path.of(args[0]).toFile(), Declaration.class);
        declaration.setMessageId("java-example-" + UUID.randomUUID());
        int wanted = Integer.parseInt(args[1]);
        Properties client = new Properties();
        client.setProperty("bootstrap.servers", env("ACCORDEER_BOOTSTRAP", "localhost:9092"));
        if (args.length > 2) {
            try (var reader = Files.newBufferedReader(Path.of(args[2]))) {
                client.load(reader);
            }
        }
        String prefix = env("ACCORDEER_TOPIC_PREFIX", "");
        String source = declaration.getSource();
        String inbound = Boolean.parseBoolean(env("ACCORDEER_OWN_TOPIC", "false"))
                ? prefix + "declarations.from." + source
                : prefix + "declarations.inbound";
        String statuses = prefix + "messages.status." + source;

        try (KafkaConsumer<String, String> consumer = consumer(client, source)) {
            consumer.subscribe(List.of(statuses));
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(100)); // joined and positioned at the end before we send
            }
            consumer.seekToEnd(consumer.assignment());
            consumer.assignment().forEach(consumer::position);
            send(client, inbound, declaration);
            System.out.println("sent " + declaration.getMessageId() + " to " + inbound + "; following " + statuses);
            System.exit(follow(consumer, declaration.getMessageId(), wanted));
        }
    }

    private static void send(Properties client, String topic, Declaration declaration) throws Exception {
        Properties config = (Properties) client.clone();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            String value = Json.MAPPER.writeValueAsString(declaration);
            // The key is the message_id: every record of one message on one partition, in order.
            producer.send(new ProducerRecord<>(topic, declaration.getMessageId(), value)).get();
        }
    }

    private static KafkaConsumer<String, String> consumer(Properties client, String source) {
        Properties config = (Properties) client.clone();
        // In secure mode a source's principal may read only in groups named "<source>.<anything>".
        config.put(ConsumerConfig.GROUP_ID_CONFIG, source + ".java-example-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    }

    private static int follow(KafkaConsumer<String, String> consumer, String messageId, int wanted) throws Exception {
        Instant until = Instant.now().plus(PATIENCE);
        while (Instant.now().isBefore(until)) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                if (!messageId.equals(record.key())) {
                    continue;
                }
                StatusEvent event = Json.MAPPER.readValue(record.value(), StatusEvent.class);
                StatusCode code = event.getStatusCode();
                System.out.println(code.getValue() + " " + event.getStatus()
                        + (event.getDetail().isEmpty() ? "" : ": " + event.getDetail()));
                if (code == StatusCode.NUMBER_0 || code == StatusCode.NUMBER_40 || code == StatusCode.NUMBER_90) {
                    return 1;
                }
                if (code.getValue() >= wanted && code != StatusCode.NUMBER_70) {
                    return 0;
                }
            }
        }
        System.out.println("no status " + wanted + " within " + PATIENCE.toSeconds() + " s");
        return 2;
    }

    private static String env(String name, String otherwise) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? otherwise : value;
    }

    private SubmitAndFollow() {}
}
