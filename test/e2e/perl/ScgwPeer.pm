# Helpers shared by the Net::SMPP peer scripts: JSON lines on stdout (hand-rolled, ASCII only), the GSM 03.38
# default alphabet and extension table (unpacked septets, PROTOCOL §2), and a description of a received
# deliver_sm. Core Perl only: the point of these scripts is to be independent of scgw's own codecs.
package ScgwPeer;
use strict;
use warnings;
use Encode qw(decode);
use Exporter qw(import);

our @EXPORT_OK = qw(emit num gsm7_encode gsm7_decode describe_deliver_sm);

# Numbers are passed as scalar refs (num(5)), so a digit string such as an msisdn stays a JSON string.
sub num { my $n = shift; return \$n }

sub json_string {
  my ($s) = @_;
  $s =~ s/(["\\])/\\$1/g;
  $s =~ s/([^\x20-\x7e])/_escape(ord $1)/ge;
  return qq("$s");
}

sub _escape {
  my ($c) = @_;
  return sprintf('\\u%04x', $c) if $c <= 0xffff;
  $c -= 0x10000; # UTF-16 surrogate pair
  return sprintf('\\u%04x\\u%04x', 0xd800 + ($c >> 10), 0xdc00 + ($c & 0x3ff));
}

sub json {
  my ($v) = @_;
  return 'null' unless defined $v;
  my $r = ref $v;
  return '{' . join(',', map { json_string($_) . ':' . json($v->{$_}) } sort keys %$v) . '}' if $r eq 'HASH';
  return '[' . join(',', map { json($_) } @$v) . ']' if $r eq 'ARRAY';
  return (0 + $$v) . '' if $r eq 'SCALAR';
  return json_string($v);
}

sub emit {
  my (%fields) = @_;
  local $| = 1;
  print json(\%fields), "\n";
}

# GSM 03.38 default alphabet by septet value [23.038 §6.2.1]; 0x1B is the escape to the extension table.
my @GSM = (
  0x40, 0xa3, 0x24, 0xa5, 0xe8, 0xe9, 0xf9, 0xec, 0xf2, 0xc7, 0x0a, 0xd8, 0xf8, 0x0d, 0xc5, 0xe5,
  0x394, 0x5f, 0x3a6, 0x393, 0x39b, 0x3a9, 0x3a0, 0x3a8, 0x3a3, 0x398, 0x39e, 0x1b, 0xc6, 0xe6, 0xdf, 0xc9,
  0x20, 0x21, 0x22, 0x23, 0xa4, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
  0x30 .. 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
  0xa1, 0x41 .. 0x5a, 0xc4, 0xd6, 0xd1, 0xdc, 0xa7,
  0xbf, 0x61 .. 0x7a, 0xe4, 0xf6, 0xf1, 0xfc, 0xe0,
);
die 'GSM table must have 128 entries' unless @GSM == 128;
# Extension table [23.038 §6.2.1.1]: ESC + septet.
my %GSM_EXT = (0x0a => 0x0c, 0x14 => 0x5e, 0x28 => 0x7b, 0x29 => 0x7d, 0x2f => 0x5c, 0x3c => 0x5b, 0x3d => 0x7e, 0x3e => 0x5d, 0x40 => 0x7c, 0x65 => 0x20ac);
my %GSM_REV = map { ($GSM[$_] => $_) } grep { $_ != 0x1b } 0 .. 127;
my %GSM_EXT_REV = reverse %GSM_EXT;

# Text → unpacked septets (one per octet); dies on a character outside both tables.
sub gsm7_encode {
  my ($text) = @_;
  my $out = '';
  for my $ch (split //, $text) {
    my $c = ord $ch;
    if (exists $GSM_REV{$c}) { $out .= chr $GSM_REV{$c} }
    elsif (exists $GSM_EXT_REV{$c}) { $out .= chr(0x1b) . chr $GSM_EXT_REV{$c} }
    else { die sprintf("U+%04X is not in the GSM 03.38 alphabet\n", $c) }
  }
  return $out;
}

# Unpacked septets → text. ESC ESC shows a space; an unknown ESC xx shows main-table xx [23.038 §6.2.1.1].
sub gsm7_decode {
  my ($bytes) = @_;
  my @b = map { $_ & 0x7f } unpack 'C*', $bytes;
  my $out = '';
  for (my $i = 0; $i < @b; $i++) {
    if ($b[$i] == 0x1b && $i + 1 < @b) {
      my $n = $b[++$i];
      $out .= chr($n == 0x1b ? 0x20 : exists $GSM_EXT{$n} ? $GSM_EXT{$n} : $GSM[$n]);
    } elsif ($b[$i] != 0x1b) {
      $out .= chr $GSM[$b[$i]];
    }
  }
  return $out;
}

sub decode_text {
  my ($dc, $bytes) = @_;
  return gsm7_decode($bytes) if $dc == 0;
  return decode('UTF-16BE', $bytes) if $dc == 8;
  return decode('ISO-8859-1', $bytes) if $dc == 3;
  return undef;
}

# A deliver_sm as JSON fields: addresses, esm_class, data_coding, UDH and concatenation info (UDH IE 0x00 / 0x08
# or SAR TLVs), the body as hex and decoded text, and every TLV by tag.
sub describe_deliver_sm {
  my ($pdu) = @_;
  my $esm = $pdu->{esm_class} // 0;
  my $dc = $pdu->{data_coding} // 0;
  my $raw = $pdu->{short_message} // '';
  my $payload = $pdu->{message_payload};
  $raw = $payload if length($raw) == 0 && defined $payload;
  my ($udh, $concat) = (undef, undef);
  if ($esm & 0x40 && length $raw) {
    my $udhl = ord substr($raw, 0, 1);
    $udh = substr($raw, 0, 1 + $udhl);
    $raw = substr($raw, 1 + $udhl);
    my $i = 1;
    while ($i + 1 < length $udh) {
      my ($iei, $len) = unpack 'CC', substr($udh, $i, 2);
      my $data = substr($udh, $i + 2, $len);
      if ($iei == 0x00 && $len == 3) {
        my ($ref, $total, $seq) = unpack 'CCC', $data;
        $concat = { kind => 'udh8', ref => num($ref), total => num($total), seq => num($seq) };
      } elsif ($iei == 0x08 && $len == 4) {
        my ($ref, $total, $seq) = unpack 'nCC', $data;
        $concat = { kind => 'udh16', ref => num($ref), total => num($total), seq => num($seq) };
      }
      $i += 2 + $len;
    }
  }
  if (defined $pdu->{sar_msg_ref_num}) {
    $concat = {
      kind => 'sar',
      ref => num(unpack 'n', $pdu->{sar_msg_ref_num}),
      total => num(unpack 'C', $pdu->{sar_total_segments} // "\0"),
      seq => num(unpack 'C', $pdu->{sar_segment_seqnum} // "\0"),
    };
  }
  my %tlvs = map { (sprintf('%04x', $_) => unpack('H*', $pdu->{$_})) } grep { /^\d+$/ } keys %$pdu;
  return (
    seq => num($pdu->{seq}),
    source_addr => $pdu->{source_addr},
    destination_addr => $pdu->{destination_addr},
    esm_class => num($esm),
    data_coding => num($dc),
    udh => defined $udh ? unpack('H*', $udh) : undef,
    concat => $concat,
    body => unpack('H*', $raw),
    text => decode_text($dc, $raw),
    tlvs => \%tlvs,
  );
}

1;
