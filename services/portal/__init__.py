"""The portal: web pages where clients approve, the office works its tasks and operators watch the pipeline."""
