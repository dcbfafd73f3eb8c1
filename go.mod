module network-broker

go 1.26.0
