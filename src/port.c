/* Checks that a struct tvc_port is complete enough for what the core needs. */
#include "tvc_port.h"

int tvc_port_check(const struct tvc_port *port)
{
    if (port == NULL || port->version != TVC_PORT_VERSION)
        return TVC_ERR_PORT;
    /* wall_time is optional: a device may have no clock. */
    if (port->connect == NULL || port->connect_poll == NULL || port->send == NULL ||
        port->recv == NULL || port->close == NULL || port->now_ms == NULL ||
        port->entropy == NULL)
        return TVC_ERR_PORT;
    return 0;
}

int tvc_port_check_storage(const struct tvc_port *port)
{
    int err = tvc_port_check(port);

    if (err != 0)
        return err;
    if (port->file_open == NULL || port->file_read == NULL || port->file_write == NULL ||
        port->file_sync == NULL || port->file_close == NULL || port->file_lock == NULL ||
        port->file_size == NULL || port->file_rename == NULL || port->file_remove == NULL ||
        port->dir_sync == NULL || port->dir_create == NULL || port->dir_list == NULL)
        return TVC_ERR_PORT;
    return 0;
}
