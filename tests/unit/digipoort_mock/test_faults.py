"""The fault dice: what each configuration decides, and that a seed makes it repeatable."""

from services.digipoort_mock.faults import Fault, FaultConfig, FaultInjector


def test_no_faults_by_default() -> None:
    injector = FaultInjector(FaultConfig())
    assert [injector.fault_before_handling() for _ in range(100)] == [None] * 100
    assert not any(injector.drop_after_accept() for _ in range(100))
    assert injector.delay_seconds() == 0


def test_outage_stops_every_request() -> None:
    injector = FaultInjector(FaultConfig(outage=True))
    assert injector.is_outage()
    assert injector.fault_before_handling() is Fault.OUTAGE


def test_rate_one_always_fires_and_errors_come_before_drops() -> None:
    assert FaultInjector(FaultConfig(error_rate=1, drop_rate=1)).fault_before_handling() is Fault.ERROR
    assert FaultInjector(FaultConfig(drop_rate=1)).fault_before_handling() is Fault.DROP
    assert FaultInjector(FaultConfig(drop_after_accept_rate=1)).drop_after_accept()


def test_a_rate_is_a_share_of_requests() -> None:
    injector = FaultInjector(FaultConfig(error_rate=0.3, seed=7))
    errors = sum(injector.fault_before_handling() is Fault.ERROR for _ in range(2000))
    assert 500 < errors < 700


def test_the_same_seed_gives_the_same_faults() -> None:
    config = FaultConfig(error_rate=0.5, drop_rate=0.5, latency_jitter_ms=100, seed=42)

    def run(injector: FaultInjector) -> list[tuple[float, Fault | None]]:
        return [(injector.delay_seconds(), injector.fault_before_handling()) for _ in range(50)]

    first = run(FaultInjector(config))
    assert first == run(FaultInjector(config))
    assert len({fault for _, fault in first}) == 3


def test_latency_is_fixed_plus_jitter() -> None:
    injector = FaultInjector(FaultConfig(latency_ms=200, latency_jitter_ms=50, seed=1))
    delays = [injector.delay_seconds() for _ in range(200)]
    assert all(0.2 <= delay <= 0.25 for delay in delays)
    assert max(delays) - min(delays) > 0.02


def test_reconfiguring_replaces_the_whole_configuration() -> None:
    injector = FaultInjector(FaultConfig(error_rate=1, latency_ms=100))
    injector.configure(FaultConfig(drop_rate=1))
    assert injector.config == FaultConfig(drop_rate=1)
    assert injector.fault_before_handling() is Fault.DROP
    assert injector.delay_seconds() == 0
