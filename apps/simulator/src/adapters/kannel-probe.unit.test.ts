import { kannelQueues } from './kannel-probe';

const page = (sentQueued: number, store: number, dlrQueued: number, boxQueue: number, smscQueued: number) => `<?xml version="1.0"?>
<gateway><status>running</status>
<sms><received><total>0</total><queued>0</queued></received><sent><total>12</total><queued>${sentQueued}</queued></sent><storesize>${store}</storesize></sms>
<dlr><received><total>24</total></received><queued>${dlrQueued}</queued></dlr>
<boxes><box><type>smsbox</type><queue>${boxQueue}</queue></box></boxes>
<smscs><count>1</count><smsc><name>FAKE:13010</name><queued>${smscQueued}</queued><sms><sent>12</sent></sms></smsc></smscs></gateway>`;

describe('Kannel’s queues as a quiescence probe', () => {
  it('quiet only when every queue and the store are empty; otherwise names what is waiting', () => {
    expect(kannelQueues(page(0, 0, 0, 0, 0))).toEqual({ quiet: true, detail: 'queues empty' });
    expect(kannelQueues(page(2, 0, 0, 0, 0))).toEqual({ quiet: false, detail: 'queued 2' });
    expect(kannelQueues(page(0, 3, 1, 0, 0))).toEqual({ quiet: false, detail: 'storesize 3, queued 1' });
    expect(kannelQueues(page(0, 0, 0, 4, 1))).toEqual({ quiet: false, detail: 'queue 4, queued 1' });
    expect(() => kannelQueues('<html>login</html>')).toThrow('not a status page');
  });
});
