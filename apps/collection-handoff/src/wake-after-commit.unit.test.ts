import { WakeAfterCommit } from './wake-after-commit';

describe('wake-ups after the consumer committed', () => {
  it('wakes once per committed chunk that asked, and never for chunks that did not', () => {
    const wakeups = new WakeAfterCommit();
    let woken = 0;
    wakeups.listen(() => woken++);

    wakeups.committed({ topic: 't', partition: 0 });
    expect(woken).toBe(0);

    wakeups.ask({ topic: 't', partition: 1 });
    wakeups.ask({ topic: 't', partition: 1 });
    expect(woken).toBe(0); // asked inside the transaction: nothing is visible yet
    wakeups.committed({ topic: 't', partition: 0 });
    expect(woken).toBe(0); // another partition's commit
    wakeups.committed({ topic: 't', partition: 1 });
    expect(woken).toBe(1);
    wakeups.committed({ topic: 't', partition: 1 });
    expect(woken).toBe(1);
  });
});
