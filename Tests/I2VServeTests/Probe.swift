import HummingbirdTesting
@testable import I2VServe
