"""core.transaction driven by a fake backend: the order of the steps, what check mode and a no-op
never do, and every way a change fails (rolled back, rollback disabled, rollback failing, confirm
failing) with the message and result keys the modules return."""

from __future__ import annotations

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core import transaction
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.transaction import (
    ChangeFailed, Plan, StepFailed, diff_of, run, wait_until)


class FakeBackend(transaction.Backend):
    """A box holding one value; the plan sets it to ``wanted``. ``fail`` maps a step to what it does
    wrong: an exception to raise, or (realised/verify) a reason to return."""

    noun = "box"
    refused = "the box refused the change"
    not_restored = "the value still differs"

    def __init__(self, value="old", wanted="new", fail=None):
        self.value = value
        self.wanted = wanted
        self.fail = dict(fail or {})
        self.calls = []

    def _step(self, name):
        self.calls.append(name)
        what = self.fail.get(name)
        if isinstance(what, Exception):
            raise what
        return what

    def gather(self):
        self._step("gather")
        return self.value

    def plan(self, current):
        self._step("plan")
        changed = current != self.wanted
        commands = ["set value %s" % self.wanted] if changed else []
        return Plan(changed, commands, diff_of(current, self.wanted, "box", "after"), extra={"touched": changed},
                    payload={"before": current})

    def arm(self, plan):
        self._step("arm")

    def snapshot(self, plan):
        self._step("snapshot")

    def apply(self, plan):
        self._step("apply")
        self.value = self.wanted

    def realised(self, plan):
        return self._step("realised")

    def verify(self, plan, result):
        result["verification"] = {"checked": True}
        return self._step("verify")

    def rollback(self, plan, result):
        result["rollback_commands"] = ["set value %s" % plan.payload["before"]]
        self._step("rollback")
        if self.fail.get("restore") is not False:
            self.value = plan.payload["before"]
        return self.value == plan.payload["before"]

    def confirm(self, plan, result):
        self._step("confirm")
        result["saved"] = True


CHANGE = ["gather", "plan", "arm", "snapshot", "apply", "realised", "verify"]


def test_a_change_runs_every_step_in_order_and_confirms():
    box = FakeBackend()
    result = run(box)
    assert box.calls == CHANGE + ["confirm"]
    assert result == {"changed": True, "commands": ["set value new"], "touched": True, "saved": True,
                      "verification": {"checked": True},
                      "diff": {"before": "old", "after": "new", "before_header": "box", "after_header": "after"}}
    assert box.value == "new"


def test_check_mode_never_applies():
    box = FakeBackend()
    result = run(box, check_mode=True)
    assert box.calls == ["gather", "plan"] and box.value == "old"
    assert result["changed"] is True and result["commands"] == ["set value new"]
    assert "verification" not in result and "saved" not in result


def test_noop_stops_after_the_plan():
    box = FakeBackend(value="new")
    result = run(box)
    assert box.calls == ["gather", "plan"]
    assert result["changed"] is False and result["commands"] == []


def test_errors_before_the_change_propagate_untouched():
    for step in ("gather", "plan"):
        box = FakeBackend(fail={step: ValueError("cannot plan: fix x")})
        with pytest.raises(ValueError, match="fix x"):
            run(box)
        assert "apply" not in box.calls


def test_refused_apply_is_rolled_back():
    box = FakeBackend(fail={"apply": RuntimeError("% Unknown command")})
    with pytest.raises(ChangeFailed) as err:
        run(box)
    assert str(err.value) == ("the box refused the change: % Unknown command; "
                              "rolled back to the previous configuration")
    assert err.value.result["rolled_back"] is True
    assert err.value.result["rollback_commands"] == ["set value old"]
    assert box.calls == CHANGE[:5] + ["rollback"]


def test_a_step_failure_carries_its_own_words():
    box = FakeBackend(fail={"apply": StepFailed("(re)initiating the tunnels failed: timeout")})
    with pytest.raises(ChangeFailed, match=r"^\(re\)initiating the tunnels failed: timeout; rolled back"):
        run(box)


def test_unrealised_change_is_rolled_back_before_verifying():
    box = FakeBackend(fail={"realised": "the box does not hold what the plan predicted"})
    with pytest.raises(ChangeFailed, match="^the box does not hold what the plan predicted; rolled back") as err:
        run(box)
    assert "verify" not in box.calls and "confirm" not in box.calls
    assert err.value.result["rolled_back"] is True and box.value == "old"


def test_verify_failure_is_rolled_back_and_keeps_the_verification():
    box = FakeBackend(fail={"verify": "verification failed: peer down"})
    with pytest.raises(ChangeFailed, match="^verification failed: peer down; rolled back") as err:
        run(box)
    assert err.value.result["verification"] == {"checked": True}
    assert "confirm" not in box.calls and box.value == "old"


def test_rollback_that_does_not_restore_says_so():
    box = FakeBackend(fail={"verify": "verification failed", "restore": False})
    with pytest.raises(ChangeFailed) as err:
        run(box)
    assert str(err.value) == ("verification failed; rolled back to the previous configuration "
                              "(but the value still differs: check the box)")
    assert err.value.result["rolled_back"] is False


def test_rollback_disabled_keeps_the_partial_change():
    box = FakeBackend(fail={"verify": "verification failed"})
    with pytest.raises(ChangeFailed) as err:
        run(box, rollback=False)
    assert str(err.value) == "verification failed; rollback disabled, the box keeps the partial change"
    assert err.value.result["rolled_back"] is False and "rollback_commands" not in err.value.result
    assert "rollback" not in box.calls and box.value == "new"


def test_rollback_failing_too_says_so():
    box = FakeBackend(fail={"verify": "verification failed", "rollback": ConnectionError("socket closed")})
    with pytest.raises(ChangeFailed) as err:
        run(box)
    assert str(err.value) == "verification failed; ROLLBACK FAILED too: socket closed. The box needs a look now."
    assert err.value.result["rolled_back"] is False
    assert err.value.result["rollback_commands"] == ["set value old"]  # what was being sent
    assert isinstance(err.value.__cause__, ConnectionError)


def test_rollback_failed_hint_is_the_backends():
    box = FakeBackend(fail={"apply": RuntimeError("no"), "rollback": RuntimeError("gone")})
    box.rollback_failed_hint = "The box is not saved; it needs a look now."
    with pytest.raises(ChangeFailed, match=r"ROLLBACK FAILED too: gone\. The box is not saved; it needs a look now\.$"):
        run(box)


def test_confirm_failure_is_reported_not_rolled_back():
    box = FakeBackend(fail={"confirm": StepFailed("applied and verified but saving it failed: disk full")})
    with pytest.raises(ChangeFailed, match="^applied and verified but saving it failed: disk full$") as err:
        run(box)
    assert "rollback" not in box.calls and "rolled_back" not in err.value.result and box.value == "new"
    box = FakeBackend(fail={"confirm": OSError("disk full")})
    with pytest.raises(ChangeFailed, match="^the change is applied and verified but confirming it failed: disk full$"):
        run(box)


def test_exceptions_from_realised_or_verify_propagate_without_rollback():
    box = FakeBackend(fail={"verify": ConnectionError("socket closed")})
    with pytest.raises(ConnectionError):
        run(box)
    assert "rollback" not in box.calls


def test_default_backend_steps_are_no_ops():
    base = transaction.Backend()
    plan = Plan(True, [], diff_of("", "", "a", "b"))
    assert base.arm(plan) is None and base.snapshot(plan) is None
    assert base.realised(plan) is None and base.verify(plan, {}) is None and base.confirm(plan, {}) is None
    with pytest.raises(NotImplementedError):
        base.gather()
    with pytest.raises(NotImplementedError):
        base.apply(plan)


class Clock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_wait_until_returns_as_soon_as_done():
    clock, values = Clock(), iter([1, 2, 3, 4])
    assert wait_until(lambda: next(values), lambda v: v == 3, 10, interval=0.5, sleep=clock.sleep, clock=clock.time) == 3
    assert clock.sleeps == [0.5, 0.5]


def test_wait_until_gives_up_at_the_timeout_with_the_last_value():
    clock, polls = Clock(), []
    last = wait_until(lambda: polls.append(clock.now) or len(polls), lambda v: False, 2, interval=1,
                      sleep=clock.sleep, clock=clock.time)
    assert polls == [0.0, 1.0, 2.0] and last == 3


def test_wait_until_polls_once_with_no_time():
    clock = Clock()
    assert wait_until(lambda: "down", lambda v: v == "up", 0, sleep=clock.sleep, clock=clock.time) == "down"
    assert clock.sleeps == []
