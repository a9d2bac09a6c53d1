// Package notify tells the outside world about VRRP transitions exactly as
// keepalived does: notify_master/backup/fault/stop/deleted scripts with only
// their configured arguments, the generic `notify` script with its four
// extra arguments, notify_master_rx_lower_pri, and the notify FIFOs with
// their `INSTANCE "VI_1" MASTER 100` lines and *_fifo_script readers.
//
// Unlike keepalived, scripts for one instance or group run one after the
// other in the order the transitions happened, and Notify never blocks the
// caller: a slow or hanging script only delays later scripts of the same
// instance, and each script has a timeout.
//
// It must not decide when to notify (the daemon does), nor touch the network.
package notify
