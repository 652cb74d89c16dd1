# The Locust master's side of scenarios/openai_chat.lua: a user class of
# the same name. The master never runs it; llmlocust's workers run the
# Lua scenario and report to the master as Locust's workers do.
from locust import User, task


class ChatUser(User):
    @task
    def chat(self):
        pass
