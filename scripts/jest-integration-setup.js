// Integration tests start brokers, services and child processes; they wait with probes that carry
// their own deadlines, so the jest-level timeout is only a last resort.
jest.setTimeout(180_000);
