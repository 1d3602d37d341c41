"""How this project starts Java: the Kafka brokers and tools of the local stack, the tests and the chaos runs."""

JVM_OPTIONS = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
"""For every broker and Kafka tool this project starts: the light JVM of a machine with two cores and a broker that
mostly waits. Measured against G1 with the full JIT (one broker, start then 750 topics of 6 partitions, idle 30 s):
43% less CPU to start, 36% less for the topics, 44% less idle; publishing and consuming are not what such a
broker spends its CPU on. A deployment's brokers are their operator's to tune (deploy/, not here)."""
