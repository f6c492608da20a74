// The AI SDK reads its warning switch from a global, not from the environment: an
// `AI_SDK_LOG_WARNINGS=false` env var changes nothing. The fake provider's unknown model names
// would otherwise print a compatibility warning per call into the test output.
globalThis.AI_SDK_LOG_WARNINGS = false;
