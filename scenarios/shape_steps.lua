-- A load shape: ramp up in steps of 10 users every 10 seconds to 40 users,
-- hold, then stop at 60 seconds. -u, -r and -t are ignored when a shape is
-- declared.
--
--   llmlocust -f scenarios/shape_steps.lua -H mock --headless

locust.options {
  step_users   = { default = 10, help = "users added at each step" },
  step_seconds = { default = 10, help = "seconds between steps" },
  max_users    = { default = 40, help = "users at the top" },
  duration     = { default = 60, help = "seconds until the test stops" },
}

locust.shape(function(run_time)
  if run_time >= locust.option("duration") then
    return nil
  end
  local step = math.floor(run_time / locust.option("step_seconds")) + 1
  return math.min(step * locust.option("step_users"), locust.option("max_users")), 10
end)

StepUser = locust.user { wait_time = locust.between(0.5, 1) }

StepUser:task(function(self)
  self.client:post("/v1/chat/completions", {
    name = "chat",
    json = { model = "mock-model", max_tokens = 16, messages = { { role = "user", content = "hi" } } },
  })
end)
