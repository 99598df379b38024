/* LAN9118 Ethernet controller, polled (see lan9118.h). */
#include <stddef.h>
#include <stdint.h>

#include "lan9118.h"

/* System control and status registers, byte offsets (datasheet section 5,
 * "Register Description").  0x00-0x1c alias the RX data FIFO port,
 * 0x20-0x3c the TX data FIFO port. */
#define RX_DATA_FIFO 0x00u
#define TX_DATA_FIFO 0x20u
#define RX_STATUS_FIFO 0x40u
#define TX_STATUS_FIFO 0x48u
#define ID_REV 0x50u
#define IRQ_CFG 0x54u
#define INT_STS 0x58u
#define INT_EN 0x5cu
#define BYTE_TEST 0x64u
#define RX_CFG 0x6cu
#define TX_CFG 0x70u
#define HW_CFG 0x74u
#define RX_FIFO_INF 0x7cu
#define TX_FIFO_INF 0x80u
#define PMT_CTRL 0x84u
#define MAC_CSR_CMD 0xa4u
#define MAC_CSR_DATA 0xa8u

#define BYTE_TEST_VALUE 0x87654321u
#define HW_CFG_SRST (1u << 0)
#define HW_CFG_TX_FIF_SZ(kb) ((uint32_t)(kb) << 16)
#define HW_CFG_MBO (1u << 20) /* must be written as one */
#define PMT_CTRL_READY (1u << 0)
#define TX_CFG_TX_ON (1u << 1)
#define TX_CFG_TXSAO (1u << 2) /* TX status FIFO may overrun: no need to read it */
#define RX_CFG_RX_DUMP (1u << 15)
#define MAC_CSR_BUSY (1u << 31)
#define MAC_CSR_READ (1u << 30)

/* RX status word */
#define RXS_LEN(s) (((s) >> 16) & 0x3fffu) /* frame length, FCS included */
#define RXS_ES (1u << 15)                  /* error summary */
#define RXS_FILTER_FAIL (1u << 30)
/* TX status word */
#define TXS_ES (1u << 15)

/* TX command A and B */
#define TXA_IOC (1u << 31)
#define TXA_FIRST (1u << 13)
#define TXA_LAST (1u << 12)
#define TXA_SIZE(n) ((uint32_t)(n) & 0x7ffu)
#define TXB_TAG(t) ((uint32_t)(t) << 16)
#define TXB_LEN(n) ((uint32_t)(n) & 0x7ffu)

/* MAC CSRs, reached through MAC_CSR_CMD / MAC_CSR_DATA */
#define MAC_CR 1u
#define MAC_ADDRH 2u
#define MAC_ADDRL 3u
#define MAC_MII_ACC 6u
#define MAC_MII_DATA 7u
#define MAC_CR_TXEN (1u << 3)
#define MAC_CR_RXEN (1u << 2)
#define MAC_CR_FDPX (1u << 20)

/* MII: the internal PHY is at address 1 */
#define MII_ACC_PHY(a) ((uint32_t)(a) << 11)
#define MII_ACC_REG(r) ((uint32_t)(r) << 6)
#define MII_ACC_WRITE (1u << 1)
#define MII_ACC_BUSY (1u << 0)
#define PHY_ADDR 1u
#define PHY_BCR 0u
#define PHY_BSR 1u
#define PHY_ANAR 4u
#define BCR_RESET 0x8000u
#define BCR_AN_ENABLE 0x1000u
#define BCR_AN_RESTART 0x0200u
#define BSR_LINK 0x0004u
/* 100/10 Mb/s full and half duplex, IEEE 802.3 selector */
#define ANAR_ALL 0x01e1u

/* Bound on every busy-wait, in register reads. */
#define SPIN_MAX 100000u

static uint32_t rd(const struct lan9118 *d, uint32_t off)
{
    return *(volatile uint32_t *)(d->base + off);
}

static void wr(const struct lan9118 *d, uint32_t off, uint32_t v)
{
    *(volatile uint32_t *)(d->base + off) = v;
}

/* Wait until (reg & mask) == want; 0, or -1 after SPIN_MAX reads. */
static int spin(const struct lan9118 *d, uint32_t off, uint32_t mask, uint32_t want)
{
    uint32_t i;
    for (i = 0; i < SPIN_MAX; i++)
        if ((rd(d, off) & mask) == want)
            return 0;
    return -1;
}

static int mac_write(const struct lan9118 *d, uint32_t reg, uint32_t v)
{
    if (spin(d, MAC_CSR_CMD, MAC_CSR_BUSY, 0) != 0)
        return -1;
    wr(d, MAC_CSR_DATA, v);
    wr(d, MAC_CSR_CMD, MAC_CSR_BUSY | reg);
    return spin(d, MAC_CSR_CMD, MAC_CSR_BUSY, 0);
}

static int mac_read(const struct lan9118 *d, uint32_t reg, uint32_t *v)
{
    if (spin(d, MAC_CSR_CMD, MAC_CSR_BUSY, 0) != 0)
        return -1;
    wr(d, MAC_CSR_CMD, MAC_CSR_BUSY | MAC_CSR_READ | reg);
    if (spin(d, MAC_CSR_CMD, MAC_CSR_BUSY, 0) != 0)
        return -1;
    *v = rd(d, MAC_CSR_DATA);
    return 0;
}

static int mii_wait(const struct lan9118 *d)
{
    uint32_t i, acc;
    for (i = 0; i < SPIN_MAX / 16; i++) {
        if (mac_read(d, MAC_MII_ACC, &acc) != 0)
            return -1;
        if (!(acc & MII_ACC_BUSY))
            return 0;
    }
    return -1;
}

static int phy_write(const struct lan9118 *d, uint32_t reg, uint32_t v)
{
    if (mii_wait(d) != 0 || mac_write(d, MAC_MII_DATA, v & 0xffffu) != 0 ||
        mac_write(d, MAC_MII_ACC, MII_ACC_PHY(PHY_ADDR) | MII_ACC_REG(reg) | MII_ACC_WRITE |
                                      MII_ACC_BUSY) != 0)
        return -1;
    return mii_wait(d);
}

static int phy_read(const struct lan9118 *d, uint32_t reg, uint32_t *v)
{
    if (mii_wait(d) != 0 ||
        mac_write(d, MAC_MII_ACC, MII_ACC_PHY(PHY_ADDR) | MII_ACC_REG(reg) | MII_ACC_BUSY) != 0 ||
        mii_wait(d) != 0 || mac_read(d, MAC_MII_DATA, v) != 0)
        return -1;
    *v &= 0xffffu;
    return 0;
}

int lan9118_init(struct lan9118 *d, uintptr_t base, const uint8_t mac[6])
{
    uint32_t v;
    unsigned i;

    d->base = base;
    for (i = 0; i < 6; i++)
        d->mac[i] = mac[i];
    d->rx_frames = d->rx_dropped = d->rx_errors = 0;
    d->tx_frames = d->tx_busy = d->tx_errors = 0;
    d->rx_status = 0;

    /* The byte-order test register reads the same in any state. */
    if (rd(d, BYTE_TEST) != BYTE_TEST_VALUE)
        return -1;
    wr(d, HW_CFG, HW_CFG_SRST);
    if (spin(d, HW_CFG, HW_CFG_SRST, 0) != 0 || spin(d, PMT_CTRL, PMT_CTRL_READY, PMT_CTRL_READY) != 0)
        return -1;
    /* Chip ID: LAN9118 family (0x0115..0x0118, 0x9210..0x9221 are compatible). */
    v = rd(d, ID_REV) >> 16;
    if (v != 0x0118u && v != 0x0117u && v != 0x0116u && v != 0x0115u && (v & 0xfff0u) != 0x9210u &&
        (v & 0xfff0u) != 0x9220u)
        return -1;

    /* Polled: no interrupt line, every status bit cleared. */
    wr(d, INT_EN, 0);
    wr(d, IRQ_CFG, 0);
    wr(d, INT_STS, 0xffffffffu);
    /* 5 KB TX FIFO (the reset default, the rest for RX) */
    wr(d, HW_CFG, HW_CFG_MBO | HW_CFG_TX_FIF_SZ(5));

    if (mac_write(d, MAC_ADDRL, (uint32_t)mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 |
                                    (uint32_t)mac[3] << 24) != 0 ||
        mac_write(d, MAC_ADDRH, (uint32_t)mac[4] | (uint32_t)mac[5] << 8) != 0)
        return -1;

    /* PHY: reset (self-clearing), advertise everything, autonegotiate. */
    if (phy_write(d, PHY_BCR, BCR_RESET) != 0)
        return -1;
    for (i = 0; i < SPIN_MAX / 16; i++) {
        if (phy_read(d, PHY_BCR, &v) != 0)
            return -1;
        if (!(v & BCR_RESET))
            break;
    }
    if (v & BCR_RESET)
        return -1;
    if (phy_write(d, PHY_ANAR, ANAR_ALL) != 0 ||
        phy_write(d, PHY_BCR, BCR_AN_ENABLE | BCR_AN_RESTART) != 0)
        return -1;

    /* Empty FIFOs, transmitter on, then the MAC: own address and
     * broadcast (MAC_CR's BCAST bit is "disable broadcast"), not
     * promiscuous, full duplex. */
    wr(d, RX_CFG, RX_CFG_RX_DUMP);
    wr(d, TX_CFG, TX_CFG_TX_ON | TX_CFG_TXSAO);
    if (mac_write(d, MAC_CR, MAC_CR_TXEN | MAC_CR_RXEN | MAC_CR_FDPX) != 0)
        return -1;
    return 0;
}

int lan9118_link_up(struct lan9118 *d)
{
    uint32_t v;
    return phy_read(d, PHY_BSR, &v) == 0 && (v & BSR_LINK) != 0;
}

/* Little-endian packing: the first byte of the stream is the word's low byte. */
static void tx_bytes(const struct lan9118 *d, const uint8_t *p, size_t n)
{
    if (((uintptr_t)p & 3u) == 0) {
        for (; n >= 4; n -= 4, p += 4)
            wr(d, TX_DATA_FIFO, *(const uint32_t *)(const void *)p);
    } else {
        for (; n >= 4; n -= 4, p += 4)
            wr(d, TX_DATA_FIFO, (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                                    (uint32_t)p[3] << 24);
    }
    if (n) {
        uint32_t w = 0;
        unsigned k;
        for (k = 0; k < n; k++)
            w |= (uint32_t)p[k] << (8 * k);
        wr(d, TX_DATA_FIFO, w);
    }
}

static void tx_status_drain(struct lan9118 *d)
{
    uint32_t used = (rd(d, TX_FIFO_INF) >> 16) & 0xffu;
    while (used--)
        if (rd(d, TX_STATUS_FIFO) & TXS_ES)
            d->tx_errors++;
}

int lan9118_send_pieces(struct lan9118 *d, const struct lan9118_piece *pieces, unsigned n)
{
    size_t total = 0, need = 0;
    uint32_t a;
    unsigned i;

    for (i = 0; i < n; i++) {
        total += pieces[i].len;
        /* command words A and B, then the data rounded up to words */
        need += 8 + ((pieces[i].len + 3) & ~(size_t)3);
    }
    if (n == 0 || total == 0 || total > LAN9118_FRAME_MAX)
        return -1;
    tx_status_drain(d);
    if ((rd(d, TX_FIFO_INF) & 0xffffu) < need) {
        d->tx_busy++;
        return -1;
    }
    for (i = 0; i < n; i++) {
        a = TXA_SIZE(pieces[i].len);
        if (i == 0)
            a |= TXA_FIRST;
        if (i == n - 1)
            a |= TXA_LAST;
        wr(d, TX_DATA_FIFO, a);
        /* B is repeated for every buffer of the frame; the tag counts frames */
        wr(d, TX_DATA_FIFO, TXB_TAG(d->tx_frames & 0xffffu) | TXB_LEN(total));
        tx_bytes(d, pieces[i].data, pieces[i].len);
    }
    d->tx_frames++;
    return 0;
}

int lan9118_send(struct lan9118 *d, const uint8_t *frame, size_t len)
{
    struct lan9118_piece p;
    p.data = frame;
    p.len = len;
    return lan9118_send_pieces(d, &p, 1);
}

static void rx_discard_words(const struct lan9118 *d, uint32_t words)
{
    while (words--)
        (void)rd(d, RX_DATA_FIFO);
}

size_t lan9118_rx_peek(struct lan9118 *d)
{
    uint32_t st, len;

    while (d->rx_status == 0) {
        if (((rd(d, RX_FIFO_INF) >> 16) & 0xffu) == 0)
            return 0;
        st = rd(d, RX_STATUS_FIFO);
        len = RXS_LEN(st);
        if ((st & (RXS_ES | RXS_FILTER_FAIL)) || len < 14 + 4 || len > LAN9118_FRAME_MAX + 4) {
            /* Read the frame's words out: the fast-forward of RX_DP_CTRL
             * is for frames of four words or more only, and reading is
             * always right. */
            rx_discard_words(d, (len + 3) / 4);
            if (st & RXS_ES)
                d->rx_errors++;
            else
                d->rx_dropped++;
            continue;
        }
        d->rx_status = st;
    }
    return RXS_LEN(d->rx_status) - 4;
}

void lan9118_rx_take_pieces(struct lan9118 *d, const struct lan9118_piece *pieces, unsigned n)
{
    uint32_t words, w = 0;
    size_t left, pos = 0;
    unsigned i = 0, have = 0;
    uint8_t *dst;

    if (d->rx_status == 0)
        return;
    left = RXS_LEN(d->rx_status) - 4; /* frame bytes; the FCS is read and dropped */
    words = (RXS_LEN(d->rx_status) + 3) / 4;
    while (left > 0 && i < n) {
        dst = (uint8_t *)(uintptr_t)pieces[i].data;
        if (pos == pieces[i].len) {
            i++;
            pos = 0;
            continue;
        }
        if (have == 0) {
            /* whole words straight into an aligned destination */
            if (dst != NULL && ((uintptr_t)(dst + pos) & 3u) == 0) {
                while (left >= 4 && pieces[i].len - pos >= 4) {
                    *(uint32_t *)(void *)(dst + pos) = rd(d, RX_DATA_FIFO);
                    words--;
                    pos += 4;
                    left -= 4;
                }
                if (left == 0 || pos == pieces[i].len)
                    continue;
            }
            w = rd(d, RX_DATA_FIFO);
            words--;
            have = 4;
        }
        if (dst != NULL)
            dst[pos] = (uint8_t)w;
        w >>= 8;
        have--;
        pos++;
        left--;
    }
    rx_discard_words(d, words);
    d->rx_status = 0;
    d->rx_frames++;
}

void lan9118_rx_take(struct lan9118 *d, uint8_t *buf)
{
    struct lan9118_piece p;
    p.data = buf;
    p.len = buf ? LAN9118_FRAME_MAX : 0;
    if (buf == NULL) {
        if (d->rx_status != 0) {
            rx_discard_words(d, (RXS_LEN(d->rx_status) + 3) / 4);
            d->rx_status = 0;
            d->rx_dropped++;
        }
        return;
    }
    lan9118_rx_take_pieces(d, &p, 1);
}
