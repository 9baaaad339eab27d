"""The policy lab as the app sees it: what a re-run of this session is, the runs on
worker processes, their measures and the words for each policy and metric. The app's
lab screen imports the engine through this one module (``tests/test_architecture.py``).
"""

from engine.comparison import MEANING as METRIC_MEANING
from engine.lab_plan import LabPlan, plan_for
from engine.lab_run import CLAWBACK, HAIRCUTS, RUN_POLICIES, RunMeasures, RunTask
from engine.lab_runner import Outcome, PoolRunner, RunFailed, Runner, reason_of
from engine.split import MEANING as POLICY_MEANING

__all__ = [
    "CLAWBACK",
    "HAIRCUTS",
    "METRIC_MEANING",
    "POLICY_MEANING",
    "RUN_POLICIES",
    "LabPlan",
    "Outcome",
    "PoolRunner",
    "RunFailed",
    "RunMeasures",
    "RunTask",
    "Runner",
    "plan_for",
    "reason_of",
]
