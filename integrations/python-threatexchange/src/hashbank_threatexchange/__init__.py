"""
hashbank for python-threatexchange: a bank's hash feed as a signal exchange.

Load it in the threatexchange CLI with

    threatexchange config extensions add hashbank_threatexchange

or, in HMA, list HashbankSignalExchangeAPI among the exchange types of
STORAGE_IFACE_INSTANCE (docs/threatexchange.md in the hashbank repository).
"""

from threatexchange.extensions.manifest import ThreatExchangeExtensionManifest

from hashbank_threatexchange.client import (
    HashbankAuthError,
    HashbankClient,
    HashbankError,
    HashbankProtocolError,
    HashbankUnavailable,
)
from hashbank_threatexchange.exchange import (
    HashbankCheckpoint,
    HashbankCollabConfig,
    HashbankCredentials,
    HashbankRecord,
    HashbankSignalExchangeAPI,
    HashbankSignalMetadata,
)
from hashbank_threatexchange.version import __version__

# What the threatexchange CLI reads when the module is added as an extension.
TX_MANIFEST = ThreatExchangeExtensionManifest(apis=(HashbankSignalExchangeAPI,))

__all__ = [
    "TX_MANIFEST",
    "HashbankAuthError",
    "HashbankCheckpoint",
    "HashbankClient",
    "HashbankCollabConfig",
    "HashbankCredentials",
    "HashbankError",
    "HashbankProtocolError",
    "HashbankRecord",
    "HashbankSignalExchangeAPI",
    "HashbankSignalMetadata",
    "HashbankUnavailable",
    "__version__",
]
