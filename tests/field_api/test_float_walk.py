"""No fractional number anywhere in the findings, however deep (webapp/domain/findings._has_float, a walk with a
stack): JavaScript and Python print some floats differently, and both sides hash the same bytes."""
from webapp.domain.findings import _has_float


def test_a_float_is_found_at_any_depth_and_whole_numbers_and_booleans_pass():
    clean = {"departments": [{"department_id": 1, "items": [{"points": [{"result": "pass", "photos": ["a"]}]}]}],
             "team": {"present": ["x"], "uniform": True}, "n": 3, "none": None}
    assert not _has_float(clean)
    assert not _has_float([]) and not _has_float({}) and not _has_float(True) and not _has_float(10**30)
    deep = {"departments": [{"items": [{"points": [{"photos": [[], {"x": [1, 2, 0.5]}]}]}]}]}
    assert _has_float(deep) and _has_float(2.0) and _has_float([{"a": {"b": [float("inf")]}}])
