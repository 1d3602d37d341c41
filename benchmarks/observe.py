"""Following a pipeline phase from outside, as the chaos run does: the chaos observer reads the public topics
and hands task events to the chaos reviewer, which approves at once. Added here: when each message's first status
30, 60 and 80 was received here, as an external package following its statuses receives it (the observer's own
consuming counts, as theirs would), and the reviewer's own time per message, from the task event reaching it to
its action acknowledged by Kafka."""

import time

from accordeer.chaos.observe import TopicObserver
from accordeer.chaos.reviewer import Reviewer
from shared.contracts.tasks import TaskEvent

STORED, FILED, ACCEPTED = 30, 60, 80
TIMED = (STORED, FILED, ACCEPTED)
AFTER_APPROVAL = (FILED, ACCEPTED)


class TimedObserver(TopicObserver):
    def __init__(self, bootstrap_servers: str, topics, on_task):
        super().__init__(bootstrap_servers, topics, on_task)
        self.first: dict[int, dict[str, float]] = {code: {} for code in TIMED}
        """Status code → message id → epoch seconds when its first record with that code was received."""

    async def _take(self, record) -> None:
        await super()._take(record)
        if record.topic == self.topics.status and record.key:
            message_id = record.key.decode()
            events = self.records.status.get(message_id)
            if events and (code := events[-1].status_code) in self.first:
                self.first[code].setdefault(message_id, time.time())


class TimedReviewer:
    """The chaos reviewer publishing its actions without waiting for each acknowledgement (awaiting them one by
    one would make the reviewer the bottleneck), timing each until it is acknowledged."""

    def __init__(self, producer, topic: str):
        self.producer = producer
        self.topic = topic
        self.reviewer = Reviewer()
        self.seconds: dict[str, float] = {}
        self.failed = 0

    async def on_task(self, event: TaskEvent) -> None:
        reached = time.monotonic()
        if (action := self.reviewer.decide(event)) is None:
            return
        ack = await self.producer.send(
            self.topic, value=action.model_dump_json().encode(), key=action.dossier_item_id.encode()
        )
        ack.add_done_callback(lambda done: self._acknowledged(event.message_id, reached, done))

    def _acknowledged(self, message_id: str, reached: float, done) -> None:
        if done.cancelled() or done.exception() is not None:
            self.failed += 1
            return
        self.seconds[message_id] = self.seconds.get(message_id, 0.0) + time.monotonic() - reached
