package dev.planetary.store;

import java.io.IOException;

class MemoryRatchetStoreTest extends RatchetStoreContract {
    @Override
    protected PeerRatchetStore openStore() {
        return new MemoryRatchetStore();
    }

    @Override
    protected PeerRatchetStore reopenStore() throws IOException {
        return null;
    }
}
