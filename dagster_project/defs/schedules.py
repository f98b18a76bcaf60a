"""The yearly cycle: departments deliver by 1 March; on 15 March at 09:00 (Beijing time) mujun
evaluates the previous data year, so that results reach the leadership by the end of March."""

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, schedule

from .jobs import evaluate_data_year


@schedule(
    cron_schedule="0 9 15 3 *",
    execution_timezone="Asia/Shanghai",
    job=evaluate_data_year,
    default_status=DefaultScheduleStatus.RUNNING,
    description="每年3月15日09:00（北京时间）评价上一数据年度。",
)
def annual_evaluation(context: ScheduleEvaluationContext) -> RunRequest:
    data_year = str(context.scheduled_execution_time.year - 1)
    return RunRequest(run_key=f"annual-{data_year}", partition_key=data_year, tags={"mujun/trigger": "schedule"})
