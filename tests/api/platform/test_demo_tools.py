"""`flask demo clock` and `flask demo face-check`: development's demo tools."""

import pytest


def test_the_demo_clock_is_refused_outside_development(app):
    result = app.test_cli_runner().invoke(args=["demo", "clock", "--at", "tomorrow 09:15"])
    assert result.exit_code != 0 and "development only" in result.output


@pytest.mark.slow
def test_the_face_check_demo_passes_on_its_first_challenge(app, clock):
    """The shipped photos answer whatever the challenge asks, with the real
    local verifier (three actions, so face_front comes up too)."""
    from identity.face.demo import run_demo

    app.config["IDENTITY_FACE_CHALLENGE_ACTIONS"] = ["turn_left", "turn_right", "face_front"]
    app.config["IDENTITY_FACE_CHALLENGE_MIN_ACTIONS"] = 3
    result = run_demo(app)
    assert len(result["actions"]) == 3
    assert set(result["actions"]) <= {"face_front", "turn_left", "turn_right"}
    assert result["passed"] is True, result
    assert result["step_up_token"]
