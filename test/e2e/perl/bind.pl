#!/usr/bin/perl
# Net::SMPP (libnet-smpp-perl 1.19) binds as transceiver the usual synchronous way and reports the bind_resp,
# then whether the gateway closed the connection (PROTOCOL §1 policy after a refused bind) or, when bound, the unbind_resp.
#
#   perl bind.pl PORT SYSTEM_ID PASSWORD
#
# PROTOCOL §7 trap: new_transceiver returns an object even when the bind was refused; the status is in the
# response, which list context returns.
use strict;
use warnings;
use FindBin;
use IO::Select;
use lib $FindBin::Bin;
use Net::SMPP;
use ScgwPeer qw(emit num);

my ($port, $system_id, $password) = @ARGV;
die "usage: $0 PORT SYSTEM_ID PASSWORD\n" unless defined $password;
my ($smpp, $resp) = Net::SMPP->new_transceiver('127.0.0.1', port => $port, timeout => 5, system_id => $system_id, password => $password);
if (!$smpp) { emit(event => 'error', message => "connect to 127.0.0.1:$port failed: $!"); exit 1 }
if (!$resp) { emit(event => 'error', message => 'no bind_transceiver_resp'); exit 1 }
emit(event => 'bind_resp', seq => num($resp->{seq}), status => num($resp->{status}), system_id => $resp->{system_id},
  command_length => num(16 + length($resp->{data} // '')));
if ($resp->{status} == 0) {
  my $u = $smpp->unbind(); # sync is fine here: nothing else is outstanding
  emit(event => 'unbind_resp', status => num($u ? $u->{status} : -1));
} else {
  # After a refused bind the gateway sends the resp, then closes: read_pdu sees EOF.
  my $sel = IO::Select->new($smpp);
  my $eof = $sel->can_read(3) && !$smpp->read_pdu();
  emit(event => $eof ? 'closed' : 'still_open');
}
emit(event => 'done');
