export const TEST_SECRET = 'test-secret-atrium-0123456789abcdef-0123456789';
export const TEMPLATE_DB = 'atrium_template';
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789';
