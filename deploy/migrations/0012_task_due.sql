-- When each running instance's current task is due to be escalated to its task manager; NULL when nothing will be
-- (no deadline, no task manager, escalated already, not in a workflow). The escalation loop reads only the rows due,
-- by index, instead of every instance at 30 each minute. Filled here for the instances running now from their
-- workflow's stored definition; the loop clears a due row it finds nothing to escalate for.
-- depends: 0011_action_operator
ALTER TABLE workflow.instances ADD COLUMN task_due_at timestamptz;
CREATE INDEX instances_task_due ON workflow.instances (task_due_at) WHERE task_due_at IS NOT NULL;
UPDATE workflow.instances i SET task_due_at = i.task_started_at + make_interval(secs => (
    SELECT (t->>'deadline_hours')::float * 3600
    FROM workflow.publications p, jsonb_array_elements(p.definitions -> (i.state->>'workflow') -> 'tasks') t
    WHERE p.id = i.publication_id AND t->>'name' = i.state->>'current_task'))
WHERE i.status_code = 30 AND i.state IS NOT NULL AND i.task_started_at IS NOT NULL;
