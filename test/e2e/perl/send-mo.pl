#!/usr/bin/perl
# Net::SMPP (libnet-smpp-perl 1.19) as an independent ESME against scgw's listener. Binds as transceiver, sends
# one MO as submit_sm (whole, or in parts: 16- or 8-bit-reference UDH, SAR TLVs, or one message_payload TLV),
# answers every deliver_sm with deliver_sm_resp and prints what happened as JSON lines (ScgwPeer::emit).
#
#   perl send-mo.pl PORT SYSTEM_ID PASSWORD --from MSISDN --to SHORT_CODE --text TEXT
#        [--coding gsm7|ucs2] [--concat none|udh8|udh16|sar|payload] [--parts N] [--order 3,1,2,1] [--ref N]
#        [--replies N] [--linger SECONDS] [--timeout SECONDS]
#
# PROTOCOL §7 traps: sync wait_pdu drops every deliver_sm, so the bind is async => 1 and everything after it
# goes through one read_pdu loop; named TLVs are sent as raw strings, so their values are packed here
# (a numeric tag would pick its own width: a 2-octet sar_msg_ref_num below 128 would go out as 1 octet).
use strict;
use warnings;
use Encode qw(decode encode);
use FindBin;
use Getopt::Long qw(GetOptionsFromArray);
use IO::Select;
use Time::HiRes qw(time);
use lib $FindBin::Bin;
use Net::SMPP;
use ScgwPeer qw(emit num gsm7_encode describe_deliver_sm);

my ($port, $system_id, $password, @rest) = @ARGV;
die "usage: $0 PORT SYSTEM_ID PASSWORD --from MSISDN --to SHORT_CODE --text TEXT [options]\n" unless defined $password;
my %o = (coding => 'gsm7', concat => 'none', parts => 0, order => '', ref => 0x4b1d, replies => 1, linger => 1, timeout => 15);
GetOptionsFromArray(\@rest, \%o, 'from=s', 'to=s', 'text=s', 'coding=s', 'concat=s', 'parts=i', 'order=s', 'ref=i', 'replies=i', 'linger=f', 'timeout=f')
  or die "bad options\n";
defined $o{$_} or die "--$_ is required\n" for qw(from to text);
my $text = decode('UTF-8', $o{text});
my $deadline = time + $o{timeout};

# --- the MO, as the PDUs' fields -------------------------------------------------------------------------
my ($dc, $unit) = $o{coding} eq 'ucs2' ? (8, 2) : (0, 1);
my @chars = split //, $text;
my $encode = sub { my $s = shift; return $dc == 8 ? encode('UTF-16BE', $s) : gsm7_encode($s) };
my $nparts = $o{parts} || ($o{concat} =~ /^(none|payload)$/ ? 1 : 3);
my $per = int((@chars + $nparts - 1) / $nparts);
my @bodies = map { $encode->(join '', grep { defined } @chars[$_ * $per .. $_ * $per + $per - 1]) } 0 .. $nparts - 1;
my @order = $o{order} ne '' ? split(/,/, $o{order}) : (1 .. $nparts);
my %udh_len = (none => 0, payload => 0, sar => 0, udh8 => 6, udh16 => 7);
die "unknown --concat $o{concat}\n" unless exists $udh_len{$o{concat}};
for my $i (0 .. $#bodies) {
  next if $o{concat} eq 'payload';
  die sprintf("part %d is %d octets, over the %d a segment holds\n", $i + 1, length $bodies[$i], 140 - $udh_len{$o{concat}})
    if length($bodies[$i]) > 140 - $udh_len{$o{concat}};
}

sub part_fields {
  my ($n) = @_; # 1-based
  my $body = $bodies[$n - 1];
  my @f = (esm_class => 0, data_coding => $dc);
  if ($o{concat} eq 'udh16') {
    # 23.040 §9.2.3.24.8: UDHL 6, IEI 08, IEDL 4, ref (2 octets, big-endian), total, seq.
    @f = (esm_class => 0x40, data_coding => $dc, short_message => pack('CCCnCC', 6, 0x08, 4, $o{ref}, $nparts, $n) . $body);
  } elsif ($o{concat} eq 'udh8') {
    @f = (esm_class => 0x40, data_coding => $dc, short_message => pack('CCCCCC', 5, 0x00, 3, $o{ref} & 0xff, $nparts, $n) . $body);
  } elsif ($o{concat} eq 'sar') {
    # S34 §5.3.2.22–24: all three, packed raw (Net::SMPP copies a named TLV's value as is).
    push @f, short_message => $body,
      sar_msg_ref_num => pack('n', $o{ref}), sar_total_segments => pack('C', $nparts), sar_segment_seqnum => pack('C', $n);
  } elsif ($o{concat} eq 'payload') {
    # S34 §5.3.2.32: the whole message in message_payload, sm_length 0.
    push @f, short_message => '', message_payload => join('', @bodies);
  } else {
    push @f, short_message => $body;
  }
  return @f;
}

# --- the session -----------------------------------------------------------------------------------------
my $smpp = Net::SMPP->new_connect('127.0.0.1', port => $port, timeout => 5, async => 1, system_id => $system_id, password => $password)
  or do { emit(event => 'error', message => "connect to 127.0.0.1:$port failed: $!"); exit 1 };
my $sel = IO::Select->new($smpp);
my (%resp, $bind_resp, $unbind_resp, $closed);
my $replies = 0;

sub dispatch {
  my ($pdu) = @_;
  my $cmd = $pdu->{cmd};
  if ($cmd == Net::SMPP::CMD_bind_transceiver_resp) {
    $bind_resp = $pdu;
    emit(event => 'bind_resp', seq => num($pdu->{seq}), status => num($pdu->{status}), system_id => $pdu->{system_id});
  } elsif ($cmd == Net::SMPP::CMD_submit_sm_resp) {
    $resp{$pdu->{seq}} = $pdu->{status};
    emit(event => 'submit_sm_resp', seq => num($pdu->{seq}), status => num($pdu->{status}), message_id => $pdu->{message_id});
  } elsif ($cmd == Net::SMPP::CMD_deliver_sm) {
    my %d = describe_deliver_sm($pdu);
    $smpp->deliver_sm_resp(seq => $pdu->{seq}, message_id => ''); # deliver_sm_resp: message_id is one NUL [S34 §4.6.2]
    $replies++ unless ($pdu->{esm_class} // 0) & 0x3c; # a receipt is not a reply
    emit(event => 'deliver_sm', %d);
  } elsif ($cmd == Net::SMPP::CMD_enquire_link) {
    $smpp->enquire_link_resp(seq => $pdu->{seq});
    emit(event => 'enquire_link', seq => num($pdu->{seq}));
  } elsif ($cmd == Net::SMPP::CMD_unbind) {
    $smpp->unbind_resp(seq => $pdu->{seq});
    emit(event => 'unbind', seq => num($pdu->{seq}));
  } elsif ($cmd == Net::SMPP::CMD_unbind_resp) {
    $unbind_resp = $pdu;
    emit(event => 'unbind_resp', seq => num($pdu->{seq}), status => num($pdu->{status}));
  } else {
    emit(event => 'pdu', command_id => num($cmd), seq => num($pdu->{seq}), status => num($pdu->{status}));
  }
}

# Reads and dispatches PDUs until $done->() or $until (epoch seconds); select first, so a quiet peer never blocks us.
sub pump {
  my ($done, $until) = @_;
  while (!$closed && !$done->()) {
    my $left = $until - time;
    last if $left <= 0;
    next unless $sel->can_read($left);
    my $pdu = $smpp->read_pdu();
    if (!$pdu) { $closed = 1; emit(event => 'closed'); last }
    dispatch($pdu);
  }
  return $done->();
}

my $bind_seq = $smpp->bind_transceiver(); # async: returns the sequence number, the response comes through pump
pump(sub { defined $bind_resp }, $deadline) or do { emit(event => 'error', message => 'no bind_transceiver_resp'); exit 1 };
if ($bind_resp->{status} != 0) { pump(sub { 0 }, time + 1); emit(event => 'done', replies => num(0)); exit 0 }

for my $n (@order) {
  my $seq = $smpp->submit_sm(
    source_addr_ton => 1, source_addr_npi => 1, source_addr => $o{from},
    dest_addr_ton => 0, dest_addr_npi => 0, destination_addr => $o{to},
    part_fields($n), async => 1,
  );
  emit(event => 'submit_sm', seq => num($seq), part => num($n));
  # One part at a time, each acked before the next: the gateway sees exactly this order.
  pump(sub { exists $resp{$seq} }, $deadline) or do { emit(event => 'error', message => "no submit_sm_resp for seq $seq"); exit 1 };
}

pump(sub { $replies >= $o{replies} }, $deadline);
pump(sub { 0 }, time + $o{linger}) if $replies >= $o{replies}; # keep listening: a second reply must not come
unless ($closed) {
  $smpp->unbind(async => 1);
  pump(sub { defined $unbind_resp }, time + 3);
}
emit(event => 'done', replies => num($replies));
