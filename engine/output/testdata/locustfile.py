"""A tiny load for comparing the layout of Locust's CSV files with ours:
successes, failures and one exception raised by a task."""

from locust import HttpUser, constant, task

raised = False


class WebUser(HttpUser):
    wait_time = constant(0.05)

    @task(4)
    def index(self):
        self.client.get("/")

    @task(1)
    def fail(self):
        self.client.get("/fail")

    @task(1)
    def boom(self):
        global raised
        if not raised:
            raised = True
            raise ValueError("boom, with a comma")
