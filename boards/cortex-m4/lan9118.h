/* SMSC LAN9118 Ethernet controller, polled, 32-bit bus.  Written from the
 * LAN9118 datasheet's register map and FIFO descriptions (TX command words
 * A/B, RX status and data FIFOs, indirect MAC CSR access, MII through
 * MAC_MII_ACC) and checked against QEMU's model (hw/net/lan9118.c), which
 * the mps2-an386 board maps at 0x40200000 (its IRQ, 13, is not used: the
 * driver is polled from the super loop).
 *
 * No interrupts, no DMA, no allocation: the caller owns the frame buffers. */
#ifndef TVC_BOARD_LAN9118_H
#define TVC_BOARD_LAN9118_H

#include <stddef.h>
#include <stdint.h>

/* mps2-an385/an386 (QEMU hw/arm/mps2.c) */
#define LAN9118_MPS2_BASE 0x40200000u

/* Largest Ethernet frame the driver moves, without the FCS. */
#define LAN9118_FRAME_MAX 1514u

struct lan9118 {
    uintptr_t base;
    uint8_t mac[6];
    /* counters, for diagnostics */
    uint32_t rx_frames, rx_dropped, rx_errors;
    uint32_t tx_frames, tx_busy, tx_errors;
    /* the status word of the frame at the head of the RX data FIFO, popped
     * by lan9118_rx_peek() and not yet taken; 0 when none */
    uint32_t rx_status;
};

/* Soft-reset the controller, check its ID, set the MAC address, reset the
 * PHY and start autonegotiation, enable the MAC transmitter and receiver
 * (own address and broadcast only).
 * Returns 0, or -1 when no LAN9118 answers at @p base or it does not come
 * out of reset within a bounded number of reads. */
int lan9118_init(struct lan9118 *d, uintptr_t base, const uint8_t mac[6]);

/* 1 when the PHY reports link up (basic status register, bit 2). */
int lan9118_link_up(struct lan9118 *d);

/* Send one frame (@p len bytes, destination MAC first, no FCS: the MAC
 * appends it).  Returns 0; -1 when the frame is too long or the TX data
 * FIFO has no room for it now (the caller may drop or retry). */
int lan9118_send(struct lan9118 *d, const uint8_t *frame, size_t len);

/* Gather form of lan9118_send: one frame from @p n pieces, each written as
 * one TX buffer (command A's first/last segment bits mark the frame). */
struct lan9118_piece {
    const uint8_t *data;
    size_t len;
};
int lan9118_send_pieces(struct lan9118 *d, const struct lan9118_piece *pieces, unsigned n);

/* Length of the next received frame (without the FCS), 0 when none is
 * waiting.  Frames with an error status or too long for the driver are
 * discarded here and counted; they are never reported. */
size_t lan9118_rx_peek(struct lan9118 *d);

/* Copy the frame lan9118_rx_peek() reported into @p buf (at least that
 * many bytes; may be NULL to discard it) and remove it from the FIFO. */
void lan9118_rx_take(struct lan9118 *d, uint8_t *buf);

/* The same, scattered: the frame's bytes go to the pieces in order (their
 * lengths must add up to at least the frame's). */
void lan9118_rx_take_pieces(struct lan9118 *d, const struct lan9118_piece *pieces, unsigned n);

#endif
