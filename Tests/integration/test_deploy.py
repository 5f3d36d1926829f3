"""The systemd unit (deploy/meiduo-email.service) as the security review asked for it: the
hardening directives it named are there, and `systemd-analyze security --offline=true` rates the
unit OK or better. Offline, so no running systemd (nor the stack) is needed, only systemd-analyze."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT

UNIT = ROOT / "deploy" / "meiduo-email.service"
# systemd-analyze's ratings, best first; an exposure below 5.0 is OK (systemd 252).
GOOD_ENOUGH = {"PERFECT", "SAFE", "OK"}
RATINGS = GOOD_ENOUGH | {"MEDIUM", "EXPOSED", "UNSAFE", "DANGEROUS"}
OVERALL = re.compile(r"Overall exposure level for (\S+): (\d+(?:\.\d+)?) ([A-Z]+)")
REVIEWED = ["CapabilityBoundingSet=", "RestrictAddressFamilies=", "SystemCallFilter=@system-service",
            "PrivateDevices=", "ProtectSystem=strict", "UMask="]


def directives():
    """The unit's `Key=value` lines, comments left out."""
    return [line.strip() for line in UNIT.read_text().splitlines()
            if line.strip() and not line.lstrip().startswith(("#", ";", "["))]


@pytest.mark.parametrize("directive", REVIEWED)
def test_unit_has_the_reviewed_directive(directive):
    found = [line for line in directives() if line.startswith(directive)]
    assert found, f"{UNIT.relative_to(ROOT)} has no {directive} line"


def test_unit_gives_no_capability():
    lines = directives()
    assert "CapabilityBoundingSet=" in lines, "CapabilityBoundingSet= should be empty: the service needs no capability"
    assert "AmbientCapabilities=" in lines, "AmbientCapabilities= should be empty"


def test_systemd_analyze_rates_the_unit_ok_or_better():
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is missing: install systemd (`apt-get install systemd`); "
                    "scripts/deps --test, which installs the packages the tests need, should list it")
    result = subprocess.run([analyze, "security", "--offline=true", "--no-pager", str(UNIT)],
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "SYSTEMD_COLORS": "0"})
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"systemd-analyze security failed ({result.returncode}):\n{output}"
    # A misspelt or unknown directive is only a warning (and ignored): refuse it here.
    warnings = [line for line in result.stderr.splitlines() if f"{UNIT.name}:" in line]
    assert not warnings, "systemd-analyze warns about the unit:\n" + "\n".join(warnings)
    match = OVERALL.search(output)
    assert match, f"no overall exposure line in systemd-analyze's output:\n{output}"
    unit, score, rating = match.group(1), float(match.group(2)), match.group(3)
    print(f"\nsystemd-analyze security --offline=true: {unit} {score} {rating}")
    assert unit == UNIT.name, f"systemd-analyze rated {unit}, not {UNIT.name}"
    assert rating in RATINGS, f"unknown rating {rating!r} (score {score})"
    assert rating in GOOD_ENOUGH and score < 5.0, (
        f"{UNIT.name} is rated {score} {rating}; OK or better is needed:\n{result.stdout}")
