"""The chaos suite: the whole system on a three-broker cluster under faults, checked from its public topics.

`python -m accordeer.chaos` (`make chaos`) runs it; `checker` holds the pure rules the run is judged by.
"""
