package stats

// LLMPercentiles are the percentiles every output shows of each LLM
// timing: the JSON summary, the charts, the report.
var LLMPercentiles = []float64{0.5, 0.9, 0.95, 0.99}
