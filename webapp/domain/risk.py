"""Risk levels: the codes used in manifests and the labels offices use."""

HIGH, HIGHER, GENERAL, LOW = "high", "higher", "general", "low"
LEVELS = (HIGH, HIGHER, GENERAL, LOW)
LABELS = {HIGH: "高风险", HIGHER: "较高风险", GENERAL: "一般风险", LOW: "低风险"}
